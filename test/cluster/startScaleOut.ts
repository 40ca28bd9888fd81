// One `polybridge serve --redis` and `polybridge worker` processes on a private redis-server:
// the topology the Redis fault tests break.
import { startServerProcess, type ServerProcess } from "../helpers/serverProcess.js";
import { RedisProcess } from "./RedisProcess.js";
import { cliBin, startWorkerProcess, type WorkerProcess } from "./workerProcess.js";

/** The running processes; `stop()` ends them all. */
export interface ScaleOut {
  redis: RedisProcess;
  /** The first API node. */
  serve: ServerProcess;
  /** Every API node (`serve` first). */
  serves: ServerProcess[];
  /** Starts one more `serve --redis` node on the same Redis (stopped with the rest). */
  addServe(): Promise<ServerProcess>;
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
export async function startScaleOut(options: {
  aof: boolean;
  parallelism: number;
  workers: number;
  serveEnv?: NodeJS.ProcessEnv;
  /** API nodes started at once. Default 1. */
  apiNodes?: number;
  /** `--lease-ms` of the API nodes (how soon a killed node's jobs are taken over). Default: the CLI's. */
  leaseMs?: number;
}): Promise<ScaleOut> {
  const redis = await RedisProcess.start({ aof: options.aof });
  const args = [cliBin, "serve", "--redis", redis.url, "--parallelism", String(options.parallelism), "--port", "0", ...(options.leaseMs ? ["--lease-ms", String(options.leaseMs)] : [])];
  const startServe = (): Promise<ServerProcess> =>
    startServerProcess(process.execPath, args, { cwd: process.cwd(), timeoutMs: 60_000, ...(options.serveEnv ? { env: options.serveEnv } : {}) });
  const serves = await Promise.all(Array.from({ length: options.apiNodes ?? 1 }, startServe));
  const workers = await Promise.all(Array.from({ length: options.workers }, () => startWorkerProcess(redis.url, ["--workers", "1", "--lock-ms", "2000"])));
  return {
    redis,
    serve: serves[0] as ServerProcess,
    serves,
    async addServe() {
      const serve = await startServe();
      serves.push(serve);
      return serve;
    },
    workers,
    logs: () => [...serves.map((serve) => serve.output()), ...workers.map((worker) => worker.output())],
    async stop() {
      await Promise.all(serves.map((serve) => serve.stop(20_000).catch(() => undefined)));
      await Promise.all(workers.map((worker) => worker.kill()));
      await redis.stop();
    },
  };
}
