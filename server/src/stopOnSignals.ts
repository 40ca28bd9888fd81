/** Something that stops gracefully within a grace period (a running server). */
export interface Stoppable {
  close(graceMs?: number): Promise<void>;
}

/**
 * The process side of a graceful stop, shared by `polybridge serve` and the TypeScript skeleton:
 * on SIGTERM or SIGINT, say so on stderr, let `target` finish within `graceMs` (new jobs get
 * `503 shutting_down` meanwhile), then exit 0 — or 1 with one line when closing fails.
 *
 * @example
 * const server = await startServer();
 * stopOnSignals(server, { name: "polybridge", graceMs: 10_000 });
 */
export function stopOnSignals(target: Stoppable, options: { name: string; graceMs: number }): void {
  const stop = (signal: string): void => {
    console.error(`${options.name}: ${signal}, finishing running jobs (up to ${options.graceMs} ms)`);
    target.close(options.graceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${options.name}: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
