import type { ErrorCode, Problem } from "@polybridge/spec";

/** HTTP status of each code (the spec's ErrorCode description); job-only codes use the status they report inside `Job.error`. */
const STATUS: Record<ErrorCode, number> = {
  invalid_json: 400,
  validation_failed: 400,
  nesting_too_deep: 400,
  function_kind_mismatch: 400,
  not_found: 404,
  function_not_found: 404,
  job_not_found: 404,
  method_not_allowed: 405,
  result_not_ready: 409,
  job_failed: 409,
  job_dismissed: 409,
  job_already_finished: 409,
  payload_too_large: 413,
  too_many_items: 413,
  unsupported_media_type: 415,
  idempotency_key_conflict: 422,
  function_failed: 422,
  internal_error: 500,
  not_implemented: 501,
  queue_full: 503,
  shutting_down: 503,
  call_timeout: 504,
  item_failed: 422,
  job_timeout: 504,
  job_cancelled: 409,
  worker_crashed: 500,
};

const TITLE: Record<ErrorCode, string> = {
  invalid_json: "Malformed JSON",
  validation_failed: "Request validation failed",
  nesting_too_deep: "JSON nested too deeply",
  function_kind_mismatch: "Function has the wrong kind",
  not_found: "Not found",
  function_not_found: "Function not found",
  job_not_found: "Job not found",
  method_not_allowed: "Method not allowed",
  result_not_ready: "Result not ready",
  job_failed: "Job failed",
  job_dismissed: "Job dismissed",
  job_already_finished: "Job already finished",
  payload_too_large: "Payload too large",
  too_many_items: "Too many items",
  unsupported_media_type: "Unsupported media type",
  idempotency_key_conflict: "Idempotency key reused with a different request",
  function_failed: "Function failed",
  internal_error: "Internal server error",
  not_implemented: "Not implemented",
  queue_full: "Job queue is full",
  shutting_down: "Server is shutting down",
  call_timeout: "Call timed out",
  item_failed: "Item failed",
  job_timeout: "Job timed out",
  job_cancelled: "Job cancelled",
  worker_crashed: "Worker crashed",
};

/** Optional members of a problem beyond code and detail. */
export type ProblemExtras = Partial<Pick<Problem, "errors" | "itemIndex" | "retryAfterSeconds" | "jobId" | "instance">>;

/**
 * The server's one error class: a stable `code` from the spec's closed list, rendered as
 * RFC 9457 problem details. `from()` turns anything thrown into one.
 *
 * @example
 * throw new ProblemError("job_not_found", `No job '${id}'.`);
 */
export class ProblemError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extras: ProblemExtras;

  constructor(code: ErrorCode, detail?: string, extras: ProblemExtras = {}) {
    super(detail ?? TITLE[code]);
    this.name = "ProblemError";
    this.code = code;
    this.status = STATUS[code];
    this.extras = extras;
  }

  /** The problem+json body. */
  toProblem(): Problem {
    return problem(this.code, this.message, this.extras);
  }

  static from(error: unknown): ProblemError {
    if (error instanceof ProblemError) return error;
    return new ProblemError("internal_error", "The server failed to handle the request.");
  }
}

/** Builds a problem body for a code. */
export function problem(code: ErrorCode, detail?: string, extras: ProblemExtras = {}): Problem {
  return {
    type: `https://polybridge.dev/problems/${code}`,
    title: TITLE[code],
    status: STATUS[code],
    code,
    ...(detail === undefined ? {} : { detail }),
    ...extras,
  };
}
