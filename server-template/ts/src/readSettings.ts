import { parseArgs } from "node:util";
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SHUTDOWN_GRACE_MS } from "./config.js";

/** Where and how the server runs. */
export interface Settings {
  port: number;
  host: string;
  /** Worker threads; undefined = one per core. */
  workers?: number;
  shutdownGraceMs: number;
}

function integer(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw.trim());
  if (raw.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer in ${min}..${max}, got '${raw}'`);
  }
  return n;
}

/**
 * Reads settings from flags, then the environment, then src/config.ts (the process conventions
 * of docs/PROTOCOL.md: `--port`/`PORT`, `--host`/`HOST`, `0` = any free port).
 *
 * @example
 * readSettings(["--port", "0"], {}); // { port: 0, host: "127.0.0.1", shutdownGraceMs: 10000 }
 */
export function readSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: { port: { type: "string", short: "p" }, host: { type: "string", short: "H" }, workers: { type: "string", short: "w" } },
    strict: true,
  });
  // Empty variables count as unset, like most shells' `${PORT:-8080}`.
  const pick = (flag: string | undefined, variable: string): string | undefined => flag ?? (env[variable] || undefined);
  const port = pick(values.port, "PORT");
  const workers = pick(values.workers, "POLYBRIDGE_WORKERS");
  const grace = env.POLYBRIDGE_SHUTDOWN_GRACE_MS || undefined;
  return {
    port: port === undefined ? DEFAULT_PORT : integer("port", port, 0, 65_535),
    host: pick(values.host, "HOST") ?? DEFAULT_HOST,
    ...(workers === undefined ? {} : { workers: integer("workers", workers, 1) }),
    shutdownGraceMs: grace === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : integer("POLYBRIDGE_SHUTDOWN_GRACE_MS", grace, 0),
  };
}
