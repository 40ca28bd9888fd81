// Defaults of the server process; PORT/HOST (environment) and --port/--host (flags) override them.
// `polybridge new --port N` rewrites DEFAULT_PORT, so keep it a plain number literal.

/** Port used when neither `--port` nor `PORT` is given. */
export const DEFAULT_PORT = 8080;

/** Interface bound when neither `--host` nor `HOST` is given: loopback, so nothing is exposed by accident. */
export const DEFAULT_HOST = "127.0.0.1";

/** How long running jobs may finish after SIGTERM before they are dismissed (`POLYBRIDGE_SHUTDOWN_GRACE_MS`). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
