import { JobEngine, isTerminal, runCall, runChunk, systemClock, type ForcedOutcome, type JobQuery } from "@polybridge/core/engine";
import type { FunctionRegistry } from "@polybridge/core/functions";
import type { Job, JobRequest, JobResult, JobStatus } from "../schemaTypes.js";
import { MockContractError } from "./checkResponse.js";
import type { MockLimits } from "./readJsonBody.js";
import type { SeededRandom } from "./seededRandom.js";

/**
 * How a mocked job ends instead of running its function (see `mock.job`): the engine's forced
 * outcomes — `accepted` stays so, `running` never ends, `failed` (default `item_failed` at item 0)
 * and `dismissed` pace through the chunks first — with a successful job's `result` given as a
 * value (default: what the function computes).
 */
export type MockJobOutcome = Exclude<ForcedOutcome, { status: "successful" }> | { status: "successful"; result?: JobResult };

/** What the engine needs from `createHandlers`. */
export interface MockJobEngineOptions {
  registry: FunctionRegistry;
  random: SeededRandom;
  limits: MockLimits;
  /** Time a job waits before it starts, and before each chunk runs. */
  delayMs: number;
  /** The pretend worker count: default `concurrency` and the basis of the default `chunkSize`. */
  workers: number;
  /** `timeoutMs` of jobs that do not set one. */
  defaultTimeoutMs: number;
  /** The clock of `createdAt`/`startedAt`/`finishedAt`. */
  now: () => number;
}

/** True for `successful`, `failed` and `dismissed`. */
export const isTerminalStatus = (status: JobStatus): boolean => isTerminal(status);

function forcedOutcome(request: JobRequest, outcome: MockJobOutcome | undefined): ForcedOutcome | undefined {
  if (outcome?.status !== "successful" || !outcome.result) return outcome;
  if (outcome.result.kind !== request.kind) throw new MockContractError(`mock.job: a ${request.kind} job cannot have a ${outcome.result.kind} result`);
  return { status: "successful", resultJson: JSON.stringify(outcome.result) };
}

/**
 * The reference server's job engine (`@polybridge/core`) in memory: the same admission,
 * idempotency, chunk loop, progress events, cancel, timeouts and paging, with an in-process
 * executor, seeded ids, the mock clock and `delayMs` pacing (before a job starts and before each
 * chunk, so progress can be watched in a UI test), plus forced outcomes for `mock.job`. No queue
 * or store limits: every job starts, and nothing is evicted until `reset()`.
 *
 * @example
 * const engine = new MockJobEngine({ registry, random: seededRandom(1), limits: DEFAULT_LIMITS,
 *   delayMs: 0, workers: 4, defaultTimeoutMs: 300_000, now: Date.now });
 * const { job } = engine.submit({ kind: "map", function: "square", input: { items: [2] } });
 * (await engine.wait(job.id, 1_000)).status; // "successful"
 */
export class MockJobEngine {
  readonly #opts: MockJobEngineOptions;
  #engine: JobEngine;

  constructor(options: MockJobEngineOptions) {
    this.#opts = options;
    this.#engine = this.#create(options.random);
  }

  #create(random: SeededRandom): JobEngine {
    const { registry, limits, workers, delayMs } = this.#opts;
    return new JobEngine({
      registry,
      executor: {
        parallelism: workers,
        runChunk: (task, signal) => runChunk(registry, task, signal),
        call: (fn, input, signal) => runCall(registry, fn, input, signal),
        close: async () => undefined,
      },
      clock: { ...systemClock, now: this.#opts.now },
      newId: () => `job_${random.hex(32)}`,
      startDelayMs: delayMs,
      chunkDelayMs: delayMs,
      defaultTimeoutMs: this.#opts.defaultTimeoutMs,
      maxItems: limits.maxItems,
      maxRangeItems: limits.maxRangeItems,
      maxRunningJobs: Number.POSITIVE_INFINITY,
      maxQueuedJobs: Number.POSITIVE_INFINITY,
      maxStoredJobs: Number.POSITIVE_INFINITY,
      maxStoredBytes: Number.POSITIVE_INFINITY,
      maxStoredResultChars: Number.POSITIVE_INFINITY,
      jobTtlMs: Number.POSITIVE_INFINITY,
    });
  }

  counts(): { queued: number; running: number; stored: number } {
    return this.#engine.counts();
  }

  /**
   * Validates and starts a job owned by `owner` (a tenant; undefined when auth is off); the same
   * idempotency key and fingerprint of the same owner replay the first job. `takeOutcome` is asked
   * only once the job is accepted, so a replay or a refusal does not use up a `mock.job` override.
   */
  submit(
    request: JobRequest,
    idempotency?: { key: string; fingerprint: string },
    takeOutcome?: () => MockJobOutcome | undefined,
    owner?: string,
  ): { job: Job; replayed: boolean } {
    return this.#engine.submit(request, idempotency, owner ?? "", () => forcedOutcome(request, takeOutcome?.()));
  }

  // Every lookup by id takes the caller's tenant: another tenant's job is `job_not_found`.
  get(id: string, owner?: string): Job {
    return this.#engine.get(id, owner ?? "");
  }

  /** The job with `result` once successful (what `Prefer: wait` answers). */
  getWithResult(id: string, owner?: string): Job {
    const pieces = this.#engine.jobWithResultJson(id, owner ?? "");
    return pieces ? (JSON.parse(pieces.join("")) as Job) : this.get(id, owner);
  }

  events(id: string, owner?: string) {
    return this.#engine.events(id, owner ?? "");
  }

  result(id: string, owner?: string): JobResult {
    return JSON.parse(this.#engine.resultJson(id, owner ?? "")) as JobResult;
  }

  /** Resolves when the job is terminal or `timeoutMs` passed. */
  wait(id: string, timeoutMs: number, owner?: string): Promise<Job> {
    return this.#engine.wait(id, timeoutMs, owner ?? "");
  }

  cancel(id: string, owner?: string): Job {
    return this.#engine.cancel(id, owner ?? "");
  }

  /** The owner's jobs, newest first, optionally by status. */
  list(query: JobQuery, owner?: string): { jobs: Job[]; nextCursor: string | null } {
    return this.#engine.list(query, owner ?? "");
  }

  /** Forgets every job and key and stops every timer (between tests); `random` restarts the ids. */
  reset(random?: SeededRandom): void {
    this.#engine.dispose();
    this.#engine = this.#create(random ?? this.#opts.random);
  }
}
