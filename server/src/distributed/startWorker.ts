import { Worker } from "bullmq";
import { LocalExecutor } from "../engine/LocalExecutor.js";
import type { ChunkReply, ChunkRequest } from "./chunkReply.js";
import { OutageLog, type OutageLogger } from "./OutageLog.js";
import { builtinsModule } from "../functions/builtinsModule.js";
import { WorkerMetrics } from "../metrics/WorkerMetrics.js";
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
  /** Serve this worker's Prometheus metrics at `GET /metrics` on `host:port` (port 0: any free one; host default 127.0.0.1). Default: none. */
  metrics?: { port: number; host?: string };
  /** Where Redis outages are reported (one line when it goes, one when it is back). Default: stderr. */
  log?: OutageLogger;
}

/** A running worker process's handle. */
export interface RunningWorker {
  /** Where `GET /metrics` is served, with the `metrics` option. */
  metricsUrl?: string;
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
  const metrics = options.metrics ? new WorkerMetrics(() => pool.stats()) : undefined;
  let metricsUrl: string | undefined;
  try {
    if (options.metrics) metricsUrl = await metrics?.listen(options.metrics.port, options.metrics.host ?? "127.0.0.1");
  } catch (error) {
    await pool.close();
    throw error;
  }
  const run = async (message: ChunkRequest, abort: AbortSignal): Promise<unknown> => {
    if (message.type !== "chunk") return pool.call(message.fn, message.input, abort);
    if (!metrics) return pool.runChunk(message.task, abort);
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      const outcome = await pool.runChunk(message.task, abort);
      metrics.observeChunk(message.task.kind, seconds(), outcome.ok ? undefined : "item_failed");
      return outcome;
    } catch (error) {
      metrics.observeChunk(message.task.kind, seconds(), abort.aborted ? "cancelled" : "worker_crashed");
      throw error;
    }
  };
  const outage = new OutageLog("worker", options.log);
  const connection = redisConnection(options.redisUrl, outage);
  const worker = new Worker<ChunkRequest, ChunkReply>(
    queueName,
    // The reply names the queue entry and echoes its token: the server combines it only into the attempt that asked.
    async (job, _token, signal) => ({ id: String(job.id), token: job.data.token, outcome: await run(job.data, signal ?? new AbortController().signal) }),
    {
      connection,
      concurrency: pool.parallelism,
      lockDuration,
      stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
      maxStalledCount: 3,
    },
  );
  worker.on("error", outage.error);
  const subscriber = redisConnection(options.redisUrl, outage);
  await subscriber.subscribe(cancelChannel(queueName));
  subscriber.on("message", (_channel: string, jobId: string) => worker.cancelJob(jobId, "cancelled by the server"));
  await worker.waitUntilReady();
  return {
    ...(metricsUrl === undefined ? {} : { metricsUrl }),
    async close() {
      subscriber.disconnect();
      await worker.close();
      connection.disconnect();
      await pool.close();
      await metrics?.close();
    },
  };
}
