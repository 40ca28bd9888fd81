import { ErrorCodeValues } from "./gen/enums.js";
import type { Problem, ServerErrorCode } from "./schemaTypes.js";

/**
 * Codes the client itself produces; kept apart from the server's closed list so a caller can
 * tell "the server said no" from "we never got a usable answer".
 */
export type ClientErrorCode =
  /** The call's `timeoutMs` ran out (including retries). */
  | "timeout"
  /** The caller's `AbortSignal` fired. */
  | "aborted"
  /** No HTTP answer: connection refused or reset, DNS failure, CORS… */
  | "network"
  /** `validate: "strict"` and the answer does not match the contract. */
  | "response_invalid"
  /** Request validation (the runtime's `validate.requests`) found arguments that do not match the contract; nothing was sent. */
  | "request_invalid"
  /** An HTTP error without a problem body (e.g. a proxy's HTML 502), or an unknown server code. */
  | "unexpected_response"
  /** Anything else that `PolybridgeError.from` was given. */
  | "unknown";

/** Every code a {@link PolybridgeError} can carry. */
export type ErrorCode = ServerErrorCode | ClientErrorCode;

const SERVER_CODES: ReadonlySet<string> = new Set(ErrorCodeValues);
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_CLOSED"]);

/** Details of a {@link PolybridgeError}. */
export interface PolybridgeErrorInit {
  status?: number;
  problem?: Problem;
  retryable?: boolean;
  retryAfterMs?: number;
  jobId?: string;
  cause?: unknown;
}

/**
 * The one error type of the SDK: every failure — HTTP problem, job failure, timeout, abort,
 * network, contract drift — arrives as a `PolybridgeError` with a `code` from a closed union.
 *
 * @example
 * try {
 *   await client.call("fail", "boom");
 * } catch (e) {
 *   const err = PolybridgeError.from(e);
 *   if (err.code === "function_failed") console.log(err.status, err.problem?.detail); // 422 'fail: "boom"'
 *   else if (err.retryable) scheduleRetry(err.retryAfterMs);
 * }
 */
export class PolybridgeError extends Error {
  override readonly name = "PolybridgeError";
  /** A server code (`queue_full`, `item_failed`, …) or a client code (`timeout`, `network`, …). */
  readonly code: ErrorCode;
  /** The HTTP status, when the error came from an HTTP answer or a job's problem. */
  readonly status: number | undefined;
  /** The problem+json body (or the job's `error`), as the server sent it. */
  readonly problem: Problem | undefined;
  /** True when the same request may succeed later: 429, 502, 503, 504, network errors. */
  readonly retryable: boolean;
  /** The server's `Retry-After`, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The job this error belongs to, for job failures. */
  readonly jobId: string | undefined;

  constructor(code: ErrorCode, message: string, init: PolybridgeErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.status = init.status;
    this.problem = init.problem;
    this.retryable = init.retryable ?? (code === "network" || (init.status !== undefined && RETRYABLE_STATUS.has(init.status)));
    this.retryAfterMs = init.retryAfterMs;
    this.jobId = init.jobId ?? init.problem?.jobId;
  }

  /** True when `code` is in the spec's closed list (`ErrorCode` in `spec/openapi.yaml`). */
  static isServerCode(code: unknown): code is ServerErrorCode {
    return typeof code === "string" && SERVER_CODES.has(code);
  }

  /** Narrows `e` to a `PolybridgeError`, optionally with one of `codes`. */
  static is<C extends ErrorCode>(e: unknown, ...codes: C[]): e is PolybridgeError & { code: C } {
    return e instanceof PolybridgeError && (codes.length === 0 || (codes as ErrorCode[]).includes(e.code));
  }

  /**
   * Normalises anything thrown or received into a `PolybridgeError`: itself, a problem body
   * (from the wire, a job's `error`, or another thread), an abort or timeout, a network error.
   */
  static from(e: unknown, init: PolybridgeErrorInit = {}): PolybridgeError {
    if (e instanceof PolybridgeError) return e;
    if (isProblem(e)) {
      const code = PolybridgeError.isServerCode(e.code) ? e.code : "unexpected_response";
      const retryAfterMs = init.retryAfterMs ?? (typeof e.retryAfterSeconds === "number" ? e.retryAfterSeconds * 1000 : undefined);
      return new PolybridgeError(code, e.detail ? `${e.title}: ${e.detail}` : e.title, {
        ...init,
        status: init.status ?? e.status,
        problem: e as Problem,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    const name = stringField(e, "name");
    const timeoutCode = stringField(e, "code");
    if (name === "TimeoutError" || timeoutCode === "UND_ERR_HEADERS_TIMEOUT" || timeoutCode === "UND_ERR_BODY_TIMEOUT") return new PolybridgeError("timeout", "The request timed out", { ...init, cause: e });
    if (name === "AbortError") return new PolybridgeError("aborted", "The request was aborted", { ...init, cause: e });
    // undici and Node put the system error code on the error or on its `cause` (fetch).
    const sysCode = stringField(e, "code") ?? stringField(field(e, "cause"), "code");
    if ((sysCode && NETWORK_CODES.has(sysCode)) || (e instanceof TypeError && /fetch|network|load failed/i.test(e.message))) {
      return new PolybridgeError("network", `Network error: ${errorMessage(e)}`, { ...init, cause: e });
    }
    return new PolybridgeError("unknown", errorMessage(e), { ...init, cause: e });
  }

  /** A plain JSON form (e.g. to post to a worker); `from()` rebuilds the error from it. */
  toJSON(): Problem | { code: ErrorCode; message: string; status?: number } {
    return this.problem ?? { code: this.code, message: this.message, ...(this.status === undefined ? {} : { status: this.status }) };
  }
}

function isProblem(e: unknown): e is Problem {
  if (typeof e !== "object" || e === null) return false;
  const p = e as Record<string, unknown>;
  return typeof p.code === "string" && typeof p.title === "string" && typeof p.status === "number";
}

function field(e: unknown, key: string): unknown {
  return typeof e === "object" && e !== null ? (e as Record<string, unknown>)[key] : undefined;
}

function stringField(e: unknown, key: string): string | undefined {
  const v = field(e, key);
  return typeof v === "string" ? v : undefined;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e) ?? String(e);
}
