import { problemTable } from "./gen/problems.js";
import type { ErrorCode, Problem } from "./protocol.js";

/** Optional members of a problem beyond code and detail. */
export type ProblemExtras = Partial<Pick<Problem, "errors" | "itemIndex" | "retryAfterSeconds" | "jobId" | "instance">>;

/** The HTTP status of a code (for job-only codes, the status inside `Job.error`). */
export function statusOf(code: ErrorCode): number {
  return problemTable[code].status;
}

/**
 * A problem+json body for `code`, with the spec's status and title and the `type` URI.
 *
 * @example
 * problem("job_not_found", "No job 'x'."); // { type: "https://polybridge.dev/problems/job_not_found", title: "Job not found", status: 404, code: "job_not_found", detail: "No job 'x'." }
 */
export function problem(code: ErrorCode, detail?: string, extras: ProblemExtras = {}): Problem {
  return {
    type: `https://polybridge.dev/problems/${code}`,
    title: problemTable[code].title,
    status: problemTable[code].status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...extras,
  };
}

/**
 * The one error class of the protocol: a stable `code` from the spec's closed list, rendered as
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
    super(detail ?? problemTable[code].title);
    this.name = "ProblemError";
    this.code = code;
    this.status = problemTable[code].status;
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
