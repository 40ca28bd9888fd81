import type { Command } from "commander";
import { integer } from "./integer.js";
import { modulesFrom } from "./serve.js";

/**
 * `polybridge worker`: takes chunks from the Redis + BullMQ queue of `polybridge serve --redis`.
 * `@polybridge/server/distributed` is loaded when the command runs.
 *
 * @example
 * addWorkerCommand(new Command("polybridge"));
 */
export function addWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("scale out: run chunks from the Redis + BullMQ queue of `polybridge serve --redis` on this machine's cores")
    .requiredOption("--redis <url>", "the Redis the server uses, e.g. redis://127.0.0.1:6379")
    .option("-w, --workers <n>", "worker threads (default: all cores)", integer(1))
    .option("-f, --functions <module...>", "extra function modules (the same ones the server loads)")
    .option("--lock-ms <ms>", "chunk lock; a dead worker's chunks are re-queued after it", integer(500), 30_000)
    .option("--metrics-port <port>", "serve Prometheus metrics at GET /metrics on this port (0: any free one; default: off)", integer(0))
    .option("--metrics-host <host>", "the address the metrics are served on", "127.0.0.1")
    .action(async (opts: { redis: string; workers?: number; functions?: string[]; lockMs: number; metricsPort?: number; metricsHost: string }) => {
      const { startWorker } = await import("@polybridge/server/distributed");
      const worker = await startWorker({
        redisUrl: opts.redis,
        lockDurationMs: opts.lockMs,
        ...(opts.workers === undefined ? {} : { workers: opts.workers }),
        ...(opts.functions ? { functionModules: modulesFrom(opts.functions) } : {}),
        ...(opts.metricsPort === undefined ? {} : { metrics: { port: opts.metricsPort, host: opts.metricsHost } }),
      });
      if (worker.metricsUrl) console.log(`polybridge worker metrics on ${worker.metricsUrl}`);
      console.log(`polybridge worker taking chunks from ${opts.redis}`);
      const stop = (): void => {
        worker.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    });
}
