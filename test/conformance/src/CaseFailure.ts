/**
 * Thrown by a step when the server under test breaks an expectation or the contract; the
 * runner reports its message as the case's reason.
 *
 * @example
 * throw new CaseFailure("expected status 200, got 500");
 */
export class CaseFailure extends Error {
  override readonly name = "CaseFailure";
}
