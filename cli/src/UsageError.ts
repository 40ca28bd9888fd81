/**
 * A mistake in how the CLI was called (as opposed to a bug): printed as one line, exit code 2.
 *
 * @example
 * throw new UsageError("give both --spec and --out");
 */
export class UsageError extends Error {
  override name = "UsageError";
}
