import { Worker } from "bullmq";
import { LocalExecutor } from "../engine/LocalExecutor.js";
import type { WorkerMessage } from "../engine/worker.js";
import { builtinsModule } from "../functions/builtinsModule.js";
import { DEFAULT_QUEUE, cancelChannel, redisConnection } from "./redisConnection.js";

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  redisUrl: string;
  queueName?: string;
  /** Worker threads of this machine's pool. Default: all cores. */
  workers?: number;
  /** Function modules: the same ones the server loads. */
  functionModules?: readonly string[];
  skipBuiltins?: boolean;
  /** How long a chunk's lock lasts without renewal; a dead worker's chunk is re-queued after it. Default 30 s. */
  lockDurationMs?: number;
}

/** A running worker process's handle. */
export interface RunningWorker {
  /** Stops taking chunks, waits for running ones, closes the pool. */
  close(): Promise<void>;
}

/**
 * Takes chunks from the BullMQ queue and runs them on this machine's worker pool
 * (`polybridge worker --redis URL`).
 *
 * @example
 * const worker = await startWorker({ redisUrl: "redis://127.0.0.1:6379" });
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const modules = [...(options.skipBuiltins ? [] : [builtinsModule]), ...(options.functionModules ?? [])];
  const pool = new LocalExecutor({ modules, ...(options.workers === undefined ? {} : { workers: options.workers }) });
  const queueName = options.queueName ?? DEFAULT_QUEUE;
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker<WorkerMessage>(
    queueName,
    async (job, _token, signal) => {
      const abort = signal ?? new AbortController().signal;
      const message = job.data;
      return message.type === "chunk" ? pool.runChunk(message.task, abort) : pool.call(message.fn, message.input, abort);
    },
    {
      connection: redisConnection(options.redisUrl),
      concurrency: pool.parallelism,
      lockDuration,
      stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
      maxStalledCount: 3,
    },
  );
  worker.on("error", () => undefined);
  const subscriber = redisConnection(options.redisUrl);
  await subscriber.subscribe(cancelChannel(queueName));
  subscriber.on("message", (_channel: string, jobId: string) => worker.cancelJob(jobId, "cancelled by the server"));
  await worker.waitUntilReady();
  return {
    async close() {
      subscriber.disconnect();
      await worker.close();
      await pool.close();
    },
  };
}
