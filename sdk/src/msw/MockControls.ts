import type { OperationId } from "../gen/operations.js";
import * as schemas from "../gen/schemas.js";
import type { OperationResult } from "../operationTypes.js";
import type { JobResult, Problem, ServerErrorCode } from "../schemaTypes.js";
import { allowedErrorStatuses, codesForStatus, type ErrorCodeFor, type ErrorStatus } from "./allowedErrorStatuses.js";
import { checkResponse, MockContractError } from "./checkResponse.js";
import type { MockJobOutcome } from "./MockJobEngine.js";
import { mockProblem } from "./mockProblem.js";
import type { FieldError } from "./zodFieldErrors.js";

/** How long an override lasts: every matching request (default), the next one, or the next `times`. */
export interface OverrideOptions {
  /** Only the next matching request (msw's `{ once: true }`). */
  once?: boolean;
  /** Only the next `times` matching requests. */
  times?: number;
}

/** Options of `mock.error`. */
export interface MockErrorOptions<S extends number> extends OverrideOptions {
  /** The problem's code; must be one whose contract status is the status given. Default: the first such code. */
  code?: ErrorCodeFor<S>;
  detail?: string;
  /** Seconds: sent as `Retry-After` and `retryAfterSeconds`, as the reference server does. */
  retryAfter?: number;
  /** Field errors, for `validation_failed`. */
  errors?: FieldError[];
}

/** Options of `mock.reply`. */
export interface MockReplyOptions extends OverrideOptions {
  /** A 2xx status the operation declares. Default: the lowest it declares. */
  status?: number;
  headers?: Record<string, string>;
}

/** The error of a forced job failure: a code plus what the server would say. */
export interface MockJobError {
  code: ServerErrorCode;
  detail?: string;
  itemIndex?: number;
}

/** What `mock.job` accepts: how the next submitted jobs end. */
export type MockJobOutcomeInput =
  | { status: "accepted" | "running" | "dismissed" }
  | { status: "successful"; result?: JobResult }
  | { status: "failed"; error?: MockJobError };

/** One prepared answer for an operation. */
export type MockAnswer =
  | { type: "json"; status: number; contentType: string; body: unknown; headers: Record<string, string> }
  | { type: "network-error" };

interface Entry<T> {
  value: T;
  remaining: number;
  operation?: OperationId;
}

/**
 * Per-test overrides of the in-memory protocol: one operation answers an error, a canned
 * body or a network failure; the next jobs end a given way; answers are delayed. Every
 * override is checked against the contract when it is made, so a test cannot mock an answer
 * the real server could not give.
 *
 * @example
 * mock.error("submitJob", 503, { code: "queue_full", retryAfter: 1, once: true });
 * mock.job({ status: "failed", error: { code: "item_failed", itemIndex: 3, detail: "boom" } });
 * mock.delay(200, { operation: "getJob" });
 */
export interface MockControls {
  /** The next requests of `operation` answer a problem with `status` (declared by the contract for it). */
  error<Op extends OperationId, S extends ErrorStatus<Op>>(operation: Op, status: S, options?: MockErrorOptions<S>): MockControls;
  /** The next requests of `operation` answer `body` (a success body the contract allows). */
  reply<Op extends OperationId>(operation: Op, body: OperationResult<Op>, options?: MockReplyOptions): MockControls;
  /** The next requests of `operation` fail without an HTTP answer (`TypeError: Failed to fetch`). */
  networkError(operation: OperationId, options?: OverrideOptions): MockControls;
  /** The next submitted jobs go through their timers and end as `outcome` says instead of running. */
  job(outcome: MockJobOutcomeInput, options?: OverrideOptions): MockControls;
  /** Answers (of one operation, or all) wait `ms` first. */
  delay(ms: number, options?: OverrideOptions & { operation?: OperationId }): MockControls;
  /** Drops every override (jobs stay; `reset()` of {@link createHandlers} drops both). */
  reset(): void;
}

const remainingOf = (options: OverrideOptions | undefined): number => {
  const times = options?.times ?? (options?.once ? 1 : Number.POSITIVE_INFINITY);
  if (!(times >= 1)) throw new MockContractError(`an override must last at least once (times: ${String(options?.times)})`);
  return times;
};

function take<T>(list: Array<Entry<T>>, operation: OperationId | undefined): T | undefined {
  const index = list.findIndex((e) => e.operation === undefined || e.operation === operation);
  const entry = list[index];
  if (!entry) return undefined;
  if (--entry.remaining <= 0) list.splice(index, 1);
  return entry.value;
}

/** The overrides store: the public {@link MockControls} plus what the handlers consume. */
export class MockOverrides implements MockControls {
  readonly #answers: Array<Entry<MockAnswer>> = [];
  readonly #jobs: Array<Entry<MockJobOutcome>> = [];
  readonly #delays: Array<Entry<number>> = [];

  error<Op extends OperationId, S extends ErrorStatus<Op>>(operation: Op, status: S, options: MockErrorOptions<S> = {}): MockControls {
    if (!allowedErrorStatuses(operation).has(status)) {
      throw new MockContractError(`${operation} cannot answer ${status}: it may answer ${[...allowedErrorStatuses(operation)].join(", ")}`);
    }
    const codes = codesForStatus(status);
    const code = options.code ?? codes[0];
    if (code === undefined || !codes.includes(code)) {
      throw new MockContractError(`code '${String(code)}' does not have status ${status} in the contract; use ${codes.join(" or ") || "another status"}`);
    }
    const body: Problem = mockProblem(code, options.detail, {
      ...(options.errors ? { errors: options.errors } : {}),
      ...(options.retryAfter === undefined ? {} : { retryAfterSeconds: options.retryAfter }),
    });
    checkResponse(operation, status, "application/problem+json", body);
    const headers: Record<string, string> = options.retryAfter === undefined ? {} : { "retry-after": String(options.retryAfter) };
    this.#answers.push({ operation, remaining: remainingOf(options), value: { type: "json", status, contentType: "application/problem+json", body, headers } });
    return this;
  }

  reply<Op extends OperationId>(operation: Op, body: OperationResult<Op>, options: MockReplyOptions = {}): MockControls {
    const status = options.status ?? 200;
    if (status < 200 || status > 299) throw new MockContractError(`mock.reply is for success answers; use mock.error for ${status}`);
    checkResponse(operation, status, "application/json", body);
    this.#answers.push({
      operation,
      remaining: remainingOf(options),
      value: { type: "json", status, contentType: "application/json", body, headers: options.headers ?? {} },
    });
    return this;
  }

  networkError(operation: OperationId, options?: OverrideOptions): MockControls {
    this.#answers.push({ operation, remaining: remainingOf(options), value: { type: "network-error" } });
    return this;
  }

  job(outcome: MockJobOutcomeInput, options?: OverrideOptions): MockControls {
    let value: MockJobOutcome;
    if (outcome.status === "failed") {
      const error = outcome.error ?? { code: "item_failed", itemIndex: 0, detail: "Mocked failure." };
      const problem = mockProblem(error.code, error.detail, error.itemIndex === undefined ? {} : { itemIndex: error.itemIndex });
      const parsed = schemas.Problem.safeParse(problem);
      if (!parsed.success) throw new MockContractError(`mock.job: the error is not a valid Problem: ${parsed.error.message}`);
      value = { status: "failed", error: problem };
    } else if (outcome.status === "successful" && outcome.result !== undefined) {
      const parsed = schemas.JobResult.safeParse(outcome.result);
      if (!parsed.success) throw new MockContractError(`mock.job: the result is not a valid JobResult: ${parsed.error.message}`);
      value = { status: "successful", result: outcome.result };
    } else value = { status: outcome.status } as MockJobOutcome;
    this.#jobs.push({ remaining: remainingOf(options), value });
    return this;
  }

  delay(ms: number, options: OverrideOptions & { operation?: OperationId } = {}): MockControls {
    if (!(ms >= 0)) throw new MockContractError(`mock.delay needs a number of milliseconds ≥ 0, got ${ms}`);
    this.#delays.push({ ...(options.operation ? { operation: options.operation } : {}), remaining: remainingOf(options), value: ms });
    return this;
  }

  reset(): void {
    this.#answers.length = 0;
    this.#jobs.length = 0;
    this.#delays.length = 0;
  }

  /** The override answer for this request of `operation`, used up by one. */
  takeAnswer(operation: OperationId): MockAnswer | undefined {
    return take(this.#answers, operation);
  }

  /** The outcome for the job being created, used up by one. */
  takeJobOutcome(): MockJobOutcome | undefined {
    return take(this.#jobs, undefined);
  }

  /** Milliseconds to wait before answering this request of `operation`. */
  takeDelay(operation: OperationId): number {
    return take(this.#delays, operation) ?? 0;
  }
}
