/**
 * A command that ran but did not succeed, with its own exit code (the client commands: 1 when a
 * job or function failed, 3 when the server cannot be reached, 130 after Ctrl-C). Printed as
 * one line like a {@link UsageError}, which is exit code 2.
 *
 * @example
 * throw new CommandFailure("item_failed: fail: -1", 1);
 */
export class CommandFailure extends Error {
  override name = "CommandFailure";

  constructor(
    message: string,
    /** The process exit code. */
    readonly exitCode: number,
  ) {
    super(message);
  }
}
