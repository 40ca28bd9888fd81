import { ProblemError, problem, problemTable, type ProblemExtras } from "@polybridge/core";
import type { Problem, ServerErrorCode } from "../schemaTypes.js";
import { MockContractError } from "./checkResponse.js";

// The mocks throw and render the server's own ProblemError (the problem table generated into
// @polybridge/core); the names below are what the handlers have always used.
export { ProblemError as MockProblemError, type ProblemExtras };

/**
 * A problem+json body for `code` with the contract's status and `type` URI; a code the contract
 * does not know (from a user's `mock.error`) is a contract error, not a crash.
 *
 * @example
 * mockProblem("job_not_found", "No job 'x'."); // { type: ".../job_not_found", status: 404, … }
 */
export function mockProblem(code: ServerErrorCode, detail?: string, extras: ProblemExtras = {}): Problem {
  if (!(code in problemTable)) throw new MockContractError(`@polybridge/sdk/msw: the contract gives no status for error code '${code}'`);
  return problem(code, detail, extras);
}
