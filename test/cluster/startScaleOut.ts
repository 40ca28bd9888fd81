// One `polybridge serve --redis` and `polybridge worker` processes on a private redis-server:
// the topology the Redis fault tests break.
import { startServerProcess, type ServerProcess } from "../helpers/serverProcess.js";
import { RedisProcess } from "./RedisProcess.js";
import { cliBin, startWorkerProcess, type WorkerProcess } from "./workerProcess.js";

/** The running processes; `stop()` ends them all. */
export interface ScaleOut {
  redis: RedisProcess;
  serve: ServerProcess;
  workers: WorkerProcess[];
  /** Every process's output (serve first), for the log assertions. */
  logs(): string[];
  stop(): Promise<void>;
}

/**
 * Starts Redis (AOF on or no persistence at all), `serve --redis --parallelism N` and
 * `workers` single-thread workers with a 2 s chunk lock; `serveEnv` is added to the server's environment.
 *
 * @example
 * const cluster = await startScaleOut({ aof: true, parallelism: 2, workers: 2 });
 * await cluster.stop();
 */
export async function startScaleOut(options: { aof: boolean; parallelism: number; workers: number; serveEnv?: NodeJS.ProcessEnv }): Promise<ScaleOut> {
  const redis = await RedisProcess.start({ aof: options.aof });
  const args = [cliBin, "serve", "--redis", redis.url, "--parallelism", String(options.parallelism), "--port", "0"];
  const serve = await startServerProcess(process.execPath, args, { cwd: process.cwd(), timeoutMs: 60_000, ...(options.serveEnv ? { env: options.serveEnv } : {}) });
  const workers = await Promise.all(Array.from({ length: options.workers }, () => startWorkerProcess(redis.url, ["--workers", "1", "--lock-ms", "2000"])));
  return {
    redis,
    serve,
    workers,
    logs: () => [serve.output(), ...workers.map((worker) => worker.output())],
    async stop() {
      await serve.stop(20_000).catch(() => undefined);
      await Promise.all(workers.map((worker) => worker.kill()));
      await redis.stop();
    },
  };
}
