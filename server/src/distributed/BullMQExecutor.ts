import { randomUUID } from "node:crypto";
import { Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { ExecutorBusyError, type CallOutcome, type ChunkOutcome, type ChunkTask, type Executor } from "@polybridge/core/engine";
import type { WorkerMessage } from "../engine/worker.js";
import { matchReply, type ChunkRequest } from "./chunkReply.js";
import { OutageLog, type OutageLogger } from "./OutageLog.js";
import { DEFAULT_QUEUE, cancelChannel, redisConnection } from "./redisConnection.js";

/** Options of {@link BullMQExecutor}. */
export interface BullMQExecutorOptions {
  /** `redis://host:port[/db]`. */
  redisUrl: string;
  queueName?: string;
  /**
   * The total worker threads of the fleet: the basis of default chunk sizes. A job keeps twice as
   * many chunks in flight by default (its `concurrency`), so each worker finds its next chunk
   * already queued when it finishes one. Default 8.
   */
  parallelism?: number;
  /**
   * How often chunks still waiting for an answer are checked in Redis: a failed entry whose event
   * was missed fails its chunk, a chunk Redis lost (restart without persistence) is queued again.
   * Default 1000 ms.
   */
  sweepMs?: number;
  /** Where Redis outages and dropped replies are reported (one line each). Default: stderr. */
  log?: OutageLogger;
}

/** One attempt of a chunk or call, waiting for its reply. */
interface Pending {
  message: WorkerMessage;
  /** Random per executor call: no two calls share queue ids, whatever Redis forgot. */
  base: string;
  attempt: number;
  /** BullMQ id of the current attempt: `${base}.${attempt}`. */
  id: string;
  /** Random per attempt; the worker echoes it with the outcome. */
  token: string;
  /** The queue acknowledged the add: from then on the sweep may look the attempt up. */
  added: boolean;
  checkedAt: number;
  /** A sweep found no queue entry for the attempt: re-queued if the next sweep finds none either. */
  missing: boolean;
  resolve(outcome: unknown): void;
  reject(error: unknown): void;
}

/** Failed chunk entries kept this long for a sweep that missed their event. */
const KEEP_FAILED = { age: 600 };

/**
 * Runs chunks on `polybridge worker` processes on other machines, through a BullMQ queue in Redis.
 *
 * Every attempt of a chunk gets its own queue id (`chunk.<uuid>.<attempt>`, never reused, even when
 * Redis lost its data and restarted) and a random token; the worker answers with both, and a reply
 * that does not match the attempt waiting for it is dropped, never combined. One `completed` and one
 * `failed` listener serve every chunk; a completed entry is removed by the script that completes
 * it (the answer travels in the event). A sweep re-queues chunks Redis lost, and those whose answer
 * was missed, so a job never waits for its timeout because of a Redis restart.
 * A worker that dies leaves its chunk stalled; BullMQ hands it to another worker (stalled-job
 * recovery), and the engine re-runs chunks whose queue entry failed. Cancel removes waiting chunks
 * and asks the worker running one (Redis pub/sub) to abort it.
 *
 * @example
 * import { BullMQExecutor } from "@polybridge/server/distributed";
 * const executor = new BullMQExecutor({ redisUrl: "redis://127.0.0.1:6379" });
 * await executor.ready();
 * const server = await startServer({ executor });
 */
export class BullMQExecutor implements Executor {
  readonly parallelism: number;
  readonly defaultConcurrency: number;
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #clients: Redis[];
  readonly #publisher: Redis;
  readonly #channel: string;
  readonly #pending = new Map<string, Pending>();
  readonly #outage: OutageLog;
  readonly #sweepMs: number;
  readonly #sweeper: NodeJS.Timeout;
  #sweeping = false;
  #dropped = 0;
  #requeued = 0;

  constructor(options: BullMQExecutorOptions) {
    const name = options.queueName ?? DEFAULT_QUEUE;
    this.parallelism = options.parallelism ?? 8;
    // One chunk queued behind each running one hides the queue's round trip (measured in bench/cluster.mjs).
    this.defaultConcurrency = this.parallelism * 2;
    this.#outage = new OutageLog("serve", options.log, () => this.#refuseCalls());
    this.#sweepMs = options.sweepMs ?? 1_000;
    const queueClient = redisConnection(options.redisUrl, this.#outage);
    const eventsClient = redisConnection(options.redisUrl, this.#outage);
    this.#publisher = redisConnection(options.redisUrl, this.#outage);
    this.#clients = [queueClient, eventsClient, this.#publisher];
    this.#queue = new Queue(name, { connection: queueClient });
    this.#events = new QueueEvents(name, { connection: eventsClient });
    this.#queue.on("error", this.#outage.error);
    this.#events.on("error", this.#outage.error);
    this.#events.on("completed", ({ jobId, returnvalue }) => this.#answer(jobId, returnvalue));
    this.#events.on("failed", ({ jobId, failedReason }) => this.#fail(jobId, failedReason));
    this.#channel = cancelChannel(name);
    this.#sweeper = setInterval(() => void this.#sweep(), this.#sweepMs).unref();
  }

  /** Resolves once the queue's event stream is listening (so no completion is missed). */
  async ready(): Promise<void> {
    await Promise.all([this.#queue.waitUntilReady(), this.#events.waitUntilReady()]);
  }

  /** The outage log of this process's Redis clients (the Redis job store reports to it too: one line per outage). */
  get outage(): OutageLog {
    return this.#outage;
  }

  /** True while Redis is unreachable (from the last connection error to the next ready client). */
  get redisDown(): boolean {
    return this.#outage.down;
  }

  /** Replies dropped because they answered no waiting attempt, and chunks re-queued after Redis lost them. */
  stats(): { waiting: number; dropped: number; requeued: number } {
    return { waiting: this.#pending.size, dropped: this.#dropped, requeued: this.#requeued };
  }

  runChunk(task: ChunkTask, signal: AbortSignal): Promise<ChunkOutcome> {
    const { source } = task;
    // Chunks travel as JSON: a packed chunk of numbers goes as the list it stands for.
    const plain = "items" in source && source.items instanceof Float64Array ? { ...task, source: { items: Array.from(source.items) } } : task;
    return this.#run({ type: "chunk", task: plain }, signal) as Promise<ChunkOutcome>;
  }

  /**
   * While Redis is unreachable a call is refused at once (`ExecutorBusyError`: the route answers
   * `503 queue_full` with `Retry-After`) instead of waiting for the call timeout; job chunks wait
   * for Redis instead, and the job goes on when it is back.
   */
  call(fn: string, input: unknown, signal: AbortSignal): Promise<CallOutcome> {
    if (this.#outage.down) return Promise.reject(new ExecutorBusyError("Redis is unreachable"));
    return this.#run({ type: "call", fn, input }, signal) as Promise<CallOutcome>;
  }

  #run(message: WorkerMessage, signal: AbortSignal): Promise<unknown> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      // One listener per attempt, removed when it settles: many chunks of a job share the signal.
      const onAbort = (): void => {
        this.#pending.delete(entry.id);
        void this.#publisher.publish(this.#channel, entry.id).catch(() => undefined);
        void this.#queue.remove(entry.id).catch(() => undefined);
        reject(signal.reason);
      };
      const settle = (): void => {
        signal.removeEventListener("abort", onAbort);
        this.#pending.delete(entry.id);
      };
      const entry: Pending = {
        message,
        base: `${message.type}.${randomUUID()}`,
        attempt: 0,
        id: "",
        token: "",
        added: false,
        checkedAt: 0,
        missing: false,
        resolve: (outcome) => (settle(), resolve(outcome)),
        reject: (error) => (settle(), reject(error)),
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#enqueue(entry);
    });
  }

  /**
   * Synchronous calls waiting when Redis goes away answer 503 at once rather than at the call
   * timeout; chunks keep waiting, their jobs go on when Redis is back.
   */
  #refuseCalls(): void {
    for (const entry of [...this.#pending.values()]) {
      if (entry.message.type === "call") entry.reject(new ExecutorBusyError("Redis became unreachable"));
    }
  }

  /** Queues a new attempt of `entry` under a fresh id and token. */
  #enqueue(entry: Pending): void {
    this.#pending.delete(entry.id);
    // A worker may still be running the attempt Redis forgot: its result would be dropped, so stop it.
    if (entry.attempt > 0) void this.#publisher.publish(this.#channel, entry.id).catch(() => undefined);
    entry.attempt++;
    entry.id = `${entry.base}.${entry.attempt}`;
    entry.token = randomUUID();
    entry.added = false;
    entry.missing = false;
    this.#pending.set(entry.id, entry);
    const id = entry.id;
    const data: ChunkRequest = { ...entry.message, token: entry.token };
    // One attempt per queue entry: the engine decides about re-runs; stalled chunks are recovered by BullMQ itself.
    // A completed entry is removed by the script that completes it (its answer travels in the event):
    // removing it afterwards cost a script, an event and ≈ a third of this node's Redis work per chunk.
    this.#queue.add(entry.message.type, data, { jobId: id, attempts: 1, removeOnComplete: true, removeOnFail: KEEP_FAILED }).then(
      () => {
        entry.added = true;
        entry.checkedAt = Date.now();
      },
      (error: unknown) => this.#pending.get(id) === entry && entry.reject(error),
    );
  }

  #answer(id: string, reply: unknown): boolean {
    const entry = this.#pending.get(id);
    if (!entry) return false; // an attempt already answered, cancelled or superseded
    const match = matchReply(reply, entry.id, entry.token);
    if (!match) {
      this.#dropped++;
      this.#outage.log(`dropped a reply for ${id} that does not answer the attempt waiting under that id`);
      return false;
    }
    entry.resolve(match.outcome);
    return true;
  }

  #fail(id: string, reason: string): void {
    this.#pending.get(id)?.reject(new Error(reason));
  }

  /**
   * Looks up attempts unanswered for a sweep period: fails those whose entry failed, re-queues those
   * Redis lost. An attempt without an entry is re-queued only when two sweeps in a row found none:
   * a completed entry is gone at once, and its answer may still be on its way in the event stream.
   */
  async #sweep(): Promise<void> {
    if (this.#sweeping || this.#pending.size === 0) return;
    this.#sweeping = true;
    try {
      const now = Date.now();
      const due = [...this.#pending.values()].filter((entry) => entry.added && now - entry.checkedAt >= this.#sweepMs);
      let lost = 0;
      await Promise.all(
        due.map(async (entry) => {
          const id = entry.id;
          entry.checkedAt = now;
          const state = await this.#queue.getJobState(id);
          if (this.#pending.get(id) !== entry) return; // answered meanwhile
          if (state === "unknown" && entry.missing) {
            lost++;
            this.#requeued++;
            return this.#enqueue(entry);
          }
          entry.missing = state === "unknown";
          if (state !== "failed") return;
          const job = await Job.fromId(this.#queue, id);
          if (this.#pending.get(id) === entry) entry.reject(new Error(job?.failedReason ?? "chunk failed"));
        }),
      );
      if (lost > 0) this.#outage.log(`serve: ${lost} chunk(s) were lost by Redis (restart without persistence?) and are queued again`);
    } catch {
      // Redis went away mid-sweep: the next one retries.
    } finally {
      this.#sweeping = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.all([this.#events.close(), this.#queue.close()]);
    for (const client of this.#clients) client.disconnect();
  }
}
