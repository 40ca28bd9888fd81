import { readFileSync } from "node:fs";
import { Command } from "commander";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { integer } from "./cli/integer.js";
import { parseOpenGroups, readAuthEnv, readTokensFile, type OpenGroup } from "./http/bearerAuth.js";
import type { Executor } from "@polybridge/core/engine";
import { startServer } from "./startServer.js";


/** Module paths given on the command line, relative to the working directory. */
function modulesFrom(paths: string[]): string[] {
  return paths.map((f) => pathToFileURL(resolve(f)).href);
}

const program = new Command("polybridge")
  .description("polybridge: compute over HTTP + JSON — reference server, codegen and conformance tools")
  .version((JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version)
  .showHelpAfterError();

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
  .option("--parallelism <n>", "with --redis: worker threads of the whole fleet (default chunk sizing and concurrency)", integer(1), 8)
  .option("--max-stored-jobs <n>", "jobs kept (finished ones are evicted oldest first)", integer(1), 10_000)
  .option("--auth-token <token...>", "require Authorization: Bearer <token> (repeatable; also POLYBRIDGE_AUTH_TOKENS)")
  .option("--auth-tokens-file <file>", "tokens, one per line (also POLYBRIDGE_AUTH_TOKENS_FILE)")
  .option("--auth-open <groups>", "reachable without a token: health, catalogue, or none (default: health)")
  .option("--cors-origin <origin...>", "origins whose pages may call the server (repeatable; * for any)")
  .option("--rate-limit <n>", "requests per minute per token or client address (429 past it)", integer(1))
  .option("--request-timeout-ms <ms>", "time to receive a whole request", integer(1), 30_000)
  .option("--log", "log requests (pino JSON lines)")
  .action(async (opts: {
    redis?: string;
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
  }) => {
    let auth: { tokens: string[]; open: OpenGroup[] };
    try {
      const env = readAuthEnv();
      auth = {
        tokens: [...env.tokens, ...(opts.authToken ?? []), ...(opts.authTokensFile ? readTokensFile(opts.authTokensFile) : [])],
        open: opts.authOpen === undefined ? [...(env.open ?? ["health"])] : parseOpenGroups(opts.authOpen),
      };
    } catch (error) {
      console.error(`polybridge serve: ${(error as Error).message}`);
      process.exit(2);
    }
    let executor: Executor | undefined;
    if (opts.redis) {
      // Loaded only for scale-out: the embedded default needs no Redis client.
      const { BullMQExecutor } = await import("./distributed/BullMQExecutor.js");
      const queue = new BullMQExecutor({ redisUrl: opts.redis, parallelism: opts.parallelism });
      await queue.ready();
      executor = queue;
    }
    const server = await startServer({
      ...(executor ? { executor } : {}),
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
      logger: opts.log ?? false,
    });
    console.log(`polybridge listening on ${server.url}`);
    const stop = (signal: string): void => {
      console.log(`polybridge: ${signal}, finishing running jobs (up to ${opts.graceMs} ms)`);
      server.close(opts.graceMs).then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });

program
  .command("worker")
  .description("scale out: run chunks from the Redis + BullMQ queue of `polybridge serve --redis` on this machine's cores")
  .requiredOption("--redis <url>", "the Redis the server uses, e.g. redis://127.0.0.1:6379")
  .option("-w, --workers <n>", "worker threads (default: all cores)", integer(1))
  .option("-f, --functions <module...>", "extra function modules (the same ones the server loads)")
  .option("--lock-ms <ms>", "chunk lock; a dead worker's chunks are re-queued after it", integer(500), 30_000)
  .action(async (opts: { redis: string; workers?: number; functions?: string[]; lockMs: number }) => {
    const { startWorker } = await import("./distributed/startWorker.js");
    const worker = await startWorker({
      redisUrl: opts.redis,
      lockDurationMs: opts.lockMs,
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.functions ? { functionModules: modulesFrom(opts.functions) } : {}),
    });
    console.log(`polybridge worker taking chunks from ${opts.redis}`);
    const stop = (): void => {
      worker.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });

// `serve` and `worker` are what operators run: they skip loading the developer tools.
if (!["serve", "worker"].includes(process.argv[2] ?? "")) {
  const { registerToolCommands } = await import("./cli/registerToolCommands.js");
  registerToolCommands(program);
}

await program.parseAsync(process.argv);
