import { Queue, QueueEvents, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { CallOutcome, ChunkOutcome, ChunkTask, Executor } from "@polybridge/core/engine";
import type { WorkerMessage } from "../engine/worker.js";
import { DEFAULT_QUEUE, cancelChannel, redisConnection } from "./redisConnection.js";

/** Options of {@link BullMQExecutor}. */
export interface BullMQExecutorOptions {
  /** `redis://host:port[/db]`. */
  redisUrl: string;
  queueName?: string;
  /**
   * Chunks of one job in flight by default, and the basis of default chunk sizes: set it to the
   * total worker threads of the fleet. Default 8.
   */
  parallelism?: number;
}

/**
 * Runs chunks on `polybridge worker` processes on other machines, through a BullMQ queue in Redis.
 * A worker that dies leaves its chunk stalled; BullMQ hands it to another worker (stalled-job
 * recovery), and the engine re-runs chunks whose job failed. Cancel removes waiting chunks and asks
 * the worker running one (Redis pub/sub) to abort it.
 *
 * @example
 * import { BullMQExecutor } from "@polybridge/server/distributed";
 * const executor = new BullMQExecutor({ redisUrl: "redis://127.0.0.1:6379" });
 * await executor.ready();
 * const server = await startServer({ executor });
 */
export class BullMQExecutor implements Executor {
  readonly parallelism: number;
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #publisher: Redis;
  readonly #channel: string;

  constructor(options: BullMQExecutorOptions) {
    const name = options.queueName ?? DEFAULT_QUEUE;
    this.parallelism = options.parallelism ?? 8;
    this.#queue = new Queue(name, { connection: redisConnection(options.redisUrl) });
    this.#events = new QueueEvents(name, { connection: redisConnection(options.redisUrl) });
    this.#publisher = redisConnection(options.redisUrl);
    this.#channel = cancelChannel(name);
  }

  /** Resolves once the queue's event stream is listening (so no completion is missed). */
  async ready(): Promise<void> {
    await Promise.all([this.#queue.waitUntilReady(), this.#events.waitUntilReady()]);
  }

  runChunk(task: ChunkTask, signal: AbortSignal): Promise<ChunkOutcome> {
    return this.#run({ type: "chunk", task }, signal) as Promise<ChunkOutcome>;
  }

  call(fn: string, input: unknown, signal: AbortSignal): Promise<CallOutcome> {
    return this.#run({ type: "call", fn, input }, signal) as Promise<CallOutcome>;
  }

  async #run(message: WorkerMessage, signal: AbortSignal): Promise<unknown> {
    signal.throwIfAborted();
    // One attempt: the engine decides about re-runs; stalled chunks are recovered by BullMQ itself.
    const job: Job = await this.#queue.add(message.type, message, { attempts: 1, removeOnComplete: true, removeOnFail: true });
    const onAbort = (): void => {
      void this.#publisher.publish(this.#channel, String(job.id));
      void job.remove().catch(() => undefined);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await Promise.race([
        job.waitUntilFinished(this.#events),
        new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })),
      ]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#events.close(), this.#queue.close()]);
    this.#publisher.disconnect();
  }
}
