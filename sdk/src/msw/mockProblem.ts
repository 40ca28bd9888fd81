import type { Problem, ServerErrorCode } from "../schemaTypes.js";
import { MockContractError } from "./checkResponse.js";
import { errorStatusByCode, jobErrorStatusByCode, problemTitleByCode } from "./gen/errorStatuses.js";

/** A code's status, from the contract (job-only codes: the status inside `Job.error`). */
export function statusOfCode(code: ServerErrorCode): number {
  const table: Record<string, number> = { ...jobErrorStatusByCode, ...errorStatusByCode };
  const status = table[code];
  if (status === undefined) throw new MockContractError(`@polybridge/sdk/msw: the contract gives no status for error code '${code}'`);
  return status;
}

/** The contract's title of a code's problem. */
function titleOf(code: ServerErrorCode): string {
  return problemTitleByCode[code];
}

/** Optional members of a problem beyond code and detail. */
export type ProblemExtras = Partial<Pick<Problem, "errors" | "itemIndex" | "retryAfterSeconds" | "jobId" | "instance">>;

/**
 * A problem+json body for `code` with the contract's status and `type` URI.
 *
 * @example
 * mockProblem("job_not_found", "No job 'x'."); // { type: ".../job_not_found", status: 404, … }
 */
export function mockProblem(code: ServerErrorCode, detail?: string, extras: ProblemExtras = {}): Problem {
  return {
    type: `https://polybridge.dev/problems/${code}`,
    title: titleOf(code),
    status: statusOfCode(code),
    code,
    ...(detail === undefined ? {} : { detail }),
    ...extras,
  };
}

/** Thrown inside the mock engine and handlers; rendered as a problem+json answer. */
export class MockProblemError extends Error {
  readonly problem: Problem;

  constructor(code: ServerErrorCode, detail?: string, extras: ProblemExtras = {}) {
    super(detail ?? code);
    this.name = "MockProblemError";
    this.problem = mockProblem(code, detail, extras);
  }
}
