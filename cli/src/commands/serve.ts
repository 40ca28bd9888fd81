import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerOptions } from "@polybridge/server";
import { InvalidArgumentError, type Command } from "commander";
import { integer } from "./integer.js";

/** Module paths given on the command line, relative to the working directory. */
export function modulesFrom(paths: string[]): string[] {
  return paths.map((f) => pathToFileURL(resolve(f)).href);
}

interface ServeOptions {
  redis?: string;
  leaseMs: number;
  parallelism: number;
  port: number;
  host: string;
  workers?: number;
  functions?: string[];
  graceMs: number;
  maxRunningJobs: number;
  maxQueuedJobs: number;
  jobTtlMs: number;
  maxStoredJobs: number;
  authToken?: string[];
  authTokensFile?: string;
  authOpen?: string;
  corsOrigin?: string[];
  rateLimit?: number;
  requestTimeoutMs: number;
  log?: boolean;
  logLevel?: NonNullable<ServerOptions["logLevel"]>;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function logLevel(value: string): NonNullable<ServerOptions["logLevel"]> {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(", ")}`);
  return value as NonNullable<ServerOptions["logLevel"]>;
}

/**
 * `polybridge serve`: the reference server. Its action loads `@polybridge/server` (fastify, the
 * worker pool) only when it runs; defining the command loads nothing but commander.
 *
 * @example
 * addServeCommand(new Command("polybridge"));
 */
export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run the reference server (embedded: one process, a worker pool, no external service)")
    .option("-p, --port <port>", "port to listen on (0 = any free port)", integer(0), Number(process.env.PORT ?? 8080))
    .option("-H, --host <host>", "interface to bind", process.env.HOST ?? "127.0.0.1")
    .option("-w, --workers <n>", "worker threads (default: all cores)", integer(1))
    .option("-f, --functions <module...>", "extra function modules to load")
    .option("--grace-ms <ms>", "on SIGTERM, how long running jobs may finish", integer(0), 10_000)
    .option("--max-running-jobs <n>", "jobs running at once", integer(1), 4)
    .option("--max-queued-jobs <n>", "jobs waiting before submissions get 503", integer(0), 256)
    .option("--job-ttl-ms <ms>", "how long finished jobs are kept", integer(1), 3_600_000)
    .option("--redis <url>", "scale out: run chunks on `polybridge worker` processes through Redis + BullMQ")
    .option("--parallelism <n>", "with --redis: worker threads of the whole fleet (default chunk sizes; a job keeps twice as many chunks in flight)", integer(1), 8)
    .option("--lease-ms <ms>", "with --redis: a job's orchestration lease; a dead API node's jobs are taken over after it", integer(1000), 10_000)
    .option("--max-stored-jobs <n>", "jobs kept (finished ones are evicted oldest first)", integer(1), 10_000)
    .option("--auth-token <token...>", "require Authorization: Bearer <token> (repeatable; also POLYBRIDGE_AUTH_TOKENS)")
    .option("--auth-tokens-file <file>", "tokens, one per line (also POLYBRIDGE_AUTH_TOKENS_FILE)")
    .option("--auth-open <groups>", "reachable without a token: health, catalogue, or none (default: health)")
    .option("--cors-origin <origin...>", "origins whose pages may call the server (repeatable; * for any)")
    .option("--rate-limit <n>", "requests per minute per token or client address (429 past it)", integer(1))
    .option("--request-timeout-ms <ms>", "time to receive a whole request", integer(1), 30_000)
    .option("--log-level <level>", "JSON log lines (pino) on stdout: fatal, error, warn, info (start-up, jobs, errors), debug (+ every request), trace, silent (default: info)", logLevel)
    .option("--log", "log every request too (same as --log-level debug)")
    .action(async (opts: ServeOptions) => {
      const { startServer, readAuthEnv, readTokensFile, parseOpenGroups, stopOnSignals } = await import("@polybridge/server");
      const env = readAuthEnv();
      const auth = {
        tokens: [...env.tokens, ...(opts.authToken ?? []), ...(opts.authTokensFile ? readTokensFile(opts.authTokensFile) : [])],
        open: opts.authOpen === undefined ? [...(env.open ?? ["health" as const])] : parseOpenGroups(opts.authOpen),
      };
      let scaleOut: Pick<ServerOptions, "executor" | "jobStore"> = {};
      if (opts.redis) {
        // Loaded only for scale-out: the embedded default needs no Redis client.
        const { BullMQExecutor, RedisJobEngine } = await import("@polybridge/server/distributed");
        const redisUrl = opts.redis;
        const queue = new BullMQExecutor({ redisUrl, parallelism: opts.parallelism });
        // Listens even when Redis is not there yet: 503 + Retry-After and health `redis: down`
        // until it is, as in any later outage (never a node hanging before it listens).
        await Promise.race([queue.ready(), queue.outage.whenDown()]);
        // Jobs live in Redis too: any number of serve --redis nodes answer for any job.
        scaleOut = { executor: queue, jobStore: (engine) => RedisJobEngine.start({ ...engine, redisUrl, outage: queue.outage, leaseMs: opts.leaseMs }) };
      }
      const server = await startServer({
        ...scaleOut,
        port: opts.port,
        host: opts.host,
        ...(opts.workers === undefined ? {} : { workers: opts.workers }),
        ...(opts.functions ? { functionModules: modulesFrom(opts.functions) } : {}),
        maxRunningJobs: opts.maxRunningJobs,
        maxQueuedJobs: opts.maxQueuedJobs,
        jobTtlMs: opts.jobTtlMs,
        maxStoredJobs: opts.maxStoredJobs,
        auth,
        ...(opts.corsOrigin ? { corsOrigins: opts.corsOrigin } : {}),
        ...(opts.rateLimit ? { rateLimitPerMinute: opts.rateLimit } : {}),
        requestTimeoutMs: opts.requestTimeoutMs,
        logLevel: opts.logLevel ?? (opts.log ? "debug" : "info"),
      });
      console.log(`polybridge listening on ${server.url}`);
      stopOnSignals(server, { name: "polybridge", graceMs: opts.graceMs });
    });
}
