import { problemFacts, type ErrorCode, type Problem } from "@polybridge/spec";

// Status and title of every code come from the spec (`x-problems` of ErrorCode), never copied.
const FACTS = problemFacts();

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
    super(detail ?? FACTS[code].title);
    this.name = "ProblemError";
    this.code = code;
    this.status = FACTS[code].status;
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
    title: FACTS[code].title,
    status: FACTS[code].status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...extras,
  };
}
