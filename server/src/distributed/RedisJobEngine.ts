import { Queue, Worker, type Job as QueueJob } from "bullmq";
import { Redis } from "ioredis";
import type { Job, JobRequest, JobStatus, Problem } from "@polybridge/spec";
import { ProblemError, problem } from "@polybridge/core";
import {
  JobEngine as CoreJobEngine,
  costKey,
  JobStop,
  pageNewestFirst,
  rangeCount,
  runJobChunks,
  type ChunkOutcome,
  type Executor,
  type FunctionCosts,
  type JobEngineEvent,
  type JobEngineOptions,
  type JobQuery,
  type JobSource,
  type LoggedEvent,
  type Submission,
} from "@polybridge/core/engine";
import { isTerminal, nodeClock } from "../engine/JobEngine.js";
import type { JobEventFeed, JobService } from "../engine/JobService.js";
import { JobWatcher, jobChannel } from "./JobWatcher.js";
import type { OutageLog } from "./OutageLog.js";
import { redisConnection } from "./redisConnection.js";
import { redisJobKeys as k } from "./redisJobKeys.js";
import { withJobScripts, type JobScripts } from "./redisJobScripts.js";

/** Options of {@link RedisJobEngine}: the in-memory engine's limits, plus where Redis is. */
export interface RedisJobEngineOptions extends JobEngineOptions {
  redisUrl: string;
  /** This process's outage log (shared with the BullMQ executor: one line per outage). */
  outage: OutageLog;
  /**
   * How long a job's orchestration lease lasts without renewal: a killed API node's jobs are taken
   * over by another node after about this long (then twice this at most). Default 10 s.
   */
  leaseMs?: number;
  /** BullMQ queue of job orchestrations. Default `polybridge-jobs`. */
  queueName?: string;
}

type RedisClient = Redis & JobScripts;

/** Reason given to the chunks of a job that ended elsewhere (cancel, timeout on another node). */
const ENDED = new Error("the job ended");

/** How often counts are refreshed and old jobs swept; SSE streams and waits poll at this pace too when a notification was missed. */
const TICK_MS = 1_000;

const unreachable = (): ProblemError =>
  new ProblemError("queue_full", "The job store (Redis) is unreachable; retry shortly.", { retryAfterSeconds: 1 });

/**
 * Jobs kept in Redis instead of one process's memory: any number of `serve --redis` nodes answer
 * any request about any job (submit on one, status, SSE with `Last-Event-ID`, cancel, `Prefer:
 * wait` on another). A job's orchestration (splitting, combining, first failure, timeout) is a
 * BullMQ job processed by the API nodes under a lock (the lease): when a node dies its jobs are
 * taken over by another node, which reuses the chunk results already stored (one per chunk index,
 * written once) and computes the rest; results are combined exactly once per orchestration, and
 * only the first ending of a job counts (an atomic script refuses any change to a finished job).
 *
 * Validation, chunking, chunk running, result combining and limits are the core engine's.
 *
 * @example
 * const engine = await RedisJobEngine.start({ redisUrl, outage: executor.outage, executor, registry });
 * const { job } = await engine.submit({ kind: "map", function: "square", input: { items: [1, 2] } });
 * await engine.wait(job.id, 5_000);
 */
export class RedisJobEngine implements JobService {
  readonly #opts: RedisJobEngineOptions;
  readonly #fast: RedisClient;
  readonly #patient: RedisClient;
  readonly #watcher: JobWatcher;
  readonly #queue: Queue;
  readonly #worker: Worker;
  readonly #validator: CoreJobEngine;
  readonly #local = new Map<string, JobStop>();
  readonly #feeds = new Set<() => void>();
  readonly #ticker: NodeJS.Timeout;
  #counts = { queued: 0, running: 0, stored: 0 };
  #resultChars = 0;
  #draining = false;
  #sweptAt = 0;

  private constructor(options: RedisJobEngineOptions) {
    this.#opts = options;
    const { redisUrl, outage } = options;
    // Requests fail at once while Redis is away (503 with Retry-After) instead of queueing in the client.
    this.#fast = withJobScripts(new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }).on("error", outage.error).on("ready", outage.ready));
    // Orchestration writes wait for Redis instead: a job's progress and ending must not be lost to an outage.
    this.#patient = withJobScripts(redisConnection(redisUrl, outage));
    this.#watcher = new JobWatcher(redisConnection(redisUrl, outage));
    const name = options.queueName ?? "polybridge-jobs";
    this.#queue = new Queue(name, { connection: this.#fast });
    this.#queue.on("error", outage.error);
    const leaseMs = options.leaseMs ?? 10_000;
    this.#worker = new Worker(name, (job: QueueJob<{ id: string }>) => this.#orchestrate(job.data.id), {
      connection: redisConnection(redisUrl, outage),
      concurrency: options.maxRunningJobs ?? 4,
      lockDuration: leaseMs,
      stalledInterval: leaseMs,
      // A job may be taken over many times (each node that held it died): it is never failed for that.
      maxStalledCount: 1_000,
      autorun: false,
    });
    this.#worker.on("error", outage.error);
    this.#validator = new CoreJobEngine({
      executor: options.executor,
      registry: options.registry,
      maxQueuedJobs: Number.POSITIVE_INFINITY,
      jobTtlMs: Number.POSITIVE_INFINITY,
      // As the server's in-memory engine: default chunk sizes follow the costs measured of sync calls on this node.
      adaptiveChunks: true,
      ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
      ...(options.maxRangeItems === undefined ? {} : { maxRangeItems: options.maxRangeItems }),
      ...(options.defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs: options.defaultTimeoutMs }),
      ...(options.basePath === undefined ? {} : { basePath: options.basePath }),
    });
    this.#ticker = setInterval(() => void this.#tick(), TICK_MS).unref();
  }

  /**
   * Connects, then takes orchestrations (this node's share of the jobs). Resolves once connected,
   * or as soon as Redis proves unreachable: the node then serves 503 (health `redis: down`) as in
   * any outage, and starts taking jobs when Redis is there.
   */
  static async start(options: RedisJobEngineOptions): Promise<RedisJobEngine> {
    const engine = new RedisJobEngine(options);
    const connected = Promise.all([engine.#queue.waitUntilReady(), engine.#worker.waitUntilReady()]).then(async () => {
      if (engine.#draining) return;
      void engine.#worker.run().catch(options.outage.error);
      await engine.#tick();
    });
    connected.catch(options.outage.error);
    await Promise.race([connected, options.outage.whenDown()]);
    return engine;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * What this node measured of each function (its sync calls, and the chunks of the jobs it
   * orchestrated): default chunk sizes and sync calls run on this thread follow it. Orchestrations run every chunk of a non-`inline` function on the
   * workers, where one that loops forever cannot freeze an API node.
   */
  get costs(): FunctionCosts | undefined {
    return this.#validator.costs;
  }

  /** Whole-cluster figures, refreshed every second: orchestrations waiting and running, jobs kept. */
  counts(): { queued: number; running: number; stored: number } {
    return this.#counts;
  }

  storeUsage(): { resultChars: number; storedBytes: number } {
    return { resultChars: this.#resultChars, storedBytes: this.#resultChars + this.#counts.stored * 4_096 };
  }

  async submit(request: JobRequest, idempotency?: { key: string; fingerprint: string }, tenant = "", _forced?: undefined, context?: { requestId?: string }): Promise<Submission> {
    if (this.#draining) throw new ProblemError("shutting_down", "The server is shutting down.", { retryAfterSeconds: 5 });
    const redis = this.#ready();
    const idemKey = idempotency && k.idempotency(`${tenant}\n${idempotency.key}`);
    if (idempotency && idemKey) {
      const replay = await this.#replay(idemKey, idempotency, tenant);
      if (replay) return replay;
    }
    const view = this.#validate(request, context);
    if (this.#counts.queued >= (this.#opts.maxQueuedJobs ?? 256)) {
      throw new ProblemError("queue_full", `${this.#counts.queued} jobs are already waiting.`, { retryAfterSeconds: 1 });
    }
    const { id } = view;
    return this.#store(async () => {
      if (idempotency && idemKey && (await redis.set(idemKey, `${idempotency.fingerprint}\n${id}`, "NX")) === null) {
        // Another node took the key between the look-up and now: its job is the one.
        const replay = await this.#replay(idemKey, idempotency, tenant);
        if (replay) return replay;
        await redis.set(idemKey, `${idempotency.fingerprint}\n${id}`);
      }
      const seq = await redis.incr(k.seq);
      // Listed newest first by creation time, whichever node created them (the sequence number breaks ties within a millisecond).
      view.createdAt = new Date().toISOString();
      const score = Date.parse(view.createdAt) * 100 + (seq % 100);
      const viewJson = JSON.stringify(view);
      await redis.pbCreate(k.job(id), k.events(id), k.source(id), k.list(tenant), k.all, jobChannel(id), viewJson, tenant, score, idemKey ?? "", JSON.stringify(sourceOf(request)), id);
      await this.#queue.add("job", { id }, { jobId: id, removeOnComplete: true, removeOnFail: true });
      this.#counts.queued += 1;
      this.#emit({ type: "submitted", job: view, ...(context?.requestId === undefined ? {} : { requestId: context.requestId }) });
      return { job: view, replayed: false };
    });
  }

  async get(id: string, tenant = ""): Promise<Job> {
    return (await this.#read(id, tenant)).view;
  }

  async jobWithResultJson(id: string, tenant = ""): Promise<string[] | undefined> {
    const { view, result } = await this.#read(id, tenant, true);
    return result === null ? undefined : [`${JSON.stringify(view).slice(0, -1)},"result":`, result, "}"];
  }

  async resultPieces(id: string, tenant = ""): Promise<readonly string[]> {
    return [await this.resultJson(id, tenant)];
  }

  async resultJson(id: string, tenant = ""): Promise<string> {
    const { view, result } = await this.#read(id, tenant, true);
    if (result !== null) return result;
    if (view.status === "failed") {
      throw new ProblemError("job_failed", `Job '${id}' failed: ${view.error?.detail ?? view.error?.title ?? "unknown error"}`, { jobId: id });
    }
    if (view.status === "dismissed") throw new ProblemError("job_dismissed", `Job '${id}' was dismissed.`, { jobId: id });
    throw new ProblemError("result_not_ready", `Job '${id}' is ${view.status}.`, { jobId: id, retryAfterSeconds: 1 });
  }

  /** Resolves with the job once it ended (announced on its channel, or seen by a poll) or after `timeoutMs`. */
  async wait(id: string, timeoutMs: number, tenant = ""): Promise<Job> {
    let view = (await this.#read(id, tenant)).view;
    if (isTerminal(view.status) || timeoutMs <= 0) return view;
    const deadline = Date.now() + timeoutMs;
    let wake: () => void = () => undefined;
    const unwatch = this.#watcher.watch(id, (event) => event === "end" && wake());
    try {
      while (!isTerminal(view.status) && Date.now() < deadline && !this.#draining) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(TICK_MS, deadline - Date.now()));
        });
        view = (await this.#read(id, tenant)).view;
      }
      return view;
    } finally {
      unwatch();
    }
  }

  async cancel(id: string, tenant = ""): Promise<Job> {
    const { view } = await this.#read(id, tenant);
    if (view.status === "successful" || view.status === "failed") {
      throw new ProblemError("job_already_finished", `Job '${id}' already finished (${view.status}).`, { jobId: id });
    }
    if (view.status === "dismissed") return view;
    const ended = await this.#store(() => this.#finish(this.#fast, view, "dismissed", { error: problem("job_cancelled", "Cancelled by a client.", { jobId: id }) }));
    if (ended) return ended;
    // Another node ended it first: its ending stands.
    const now = (await this.#read(id, tenant)).view;
    if (now.status === "successful" || now.status === "failed") {
      throw new ProblemError("job_already_finished", `Job '${id}' already finished (${now.status}).`, { jobId: id });
    }
    return now;
  }

  async list(query: JobQuery, tenant = ""): Promise<{ jobs: Job[]; nextCursor: string | null }> {
    const redis = this.#ready();
    const invalid = (): ProblemError =>
      new ProblemError("validation_failed", "The cursor is not one this server issued.", { errors: [{ path: "/cursor", message: "must be a nextCursor from a previous page" }] });
    if (!pageNewestFirst([], query)) throw invalid();
    const limit = query.limit ?? 20;
    const before = query.cursor === undefined ? "+inf" : `(${decodeCursor(query.cursor)}`;
    const found: Array<{ seq: number; view: Job }> = [];
    return this.#store(async () => {
      // Newest first, a batch at a time, until one more than a page matched (so nextCursor is known).
      for (let offset = 0; found.length <= limit; offset += 200) {
        const batch = await redis.zrevrangebyscore(k.list(tenant), before, "-inf", "WITHSCORES", "LIMIT", offset, 200);
        if (batch.length === 0) break;
        const ids = batch.filter((_, i) => i % 2 === 0);
        const rows = await Promise.all(ids.map((id) => redis.hmget(k.job(id), "view", "status")));
        rows.forEach(([viewJson, status], i) => {
          const id = ids[i] as string;
          if (!viewJson) void redis.zrem(k.list(tenant), id).catch(() => undefined);
          else if (!query.status || status === query.status) found.push({ seq: Number(batch[2 * i + 1]), view: JSON.parse(viewJson) as Job });
        });
      }
      const page = pageNewestFirst(found.reverse(), query);
      if (!page) throw invalid();
      return page;
    });
  }

  async events(id: string, tenant = "", lastId = 0): Promise<JobEventFeed> {
    const redis = this.#ready();
    const [[, owner], [, status], [, entries]] = (await this.#store(() =>
      redis.multi().hget(k.job(id), "tenant").hget(k.job(id), "status").xrange(k.events(id), `(0-${Math.max(0, Math.floor(lastId) || 0)}`, "+").exec(),
    )) as unknown as [[unknown, string | null], [unknown, string | null], [unknown, StreamEntry[]]];
    if (owner === null || owner !== tenant) throw new ProblemError("job_not_found", `No job '${id}'.`);
    const backlog = entries.map(toLogged);
    return this.#feed(id, backlog, isTerminal(status as JobStatus), lastId);
  }

  /**
   * Stops taking jobs, lets this node's orchestrations run for up to `graceMs`, then leaves the rest
   * to the other nodes (their lease runs out and another node takes them over) and disconnects.
   */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    const deadline = Date.now() + graceMs;
    while (this.#local.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const end of this.#feeds) end();
    clearInterval(this.#ticker);
    await this.#worker.close(true).catch(() => undefined);
    for (const abort of this.#local.values()) abort.abort(ENDED);
    await this.#queue.close().catch(() => undefined);
    this.#watcher.close();
    this.#validator.dispose();
    this.#fast.disconnect();
    this.#patient.disconnect();
  }

  /** The fast client, or 503 at once while Redis is unreachable. */
  #ready(): RedisClient {
    if (this.#fast.status !== "ready") throw unreachable();
    return this.#fast;
  }

  /** Runs a store operation; a Redis failure is a 503 with Retry-After, never a 500 or a hang. */
  async #store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ProblemError) throw error;
      throw unreachable();
    }
  }

  async #read(id: string, tenant: string, withResult = false): Promise<{ view: Job; result: string | null }> {
    const redis = this.#ready();
    const [viewJson, owner, result] = await this.#store(() => redis.hmget(k.job(id), "view", "tenant", ...(withResult ? ["result"] : [])));
    if (!viewJson || owner !== tenant) throw new ProblemError("job_not_found", `No job '${id}'.`);
    return { view: JSON.parse(viewJson) as Job, result: result ?? null };
  }

  /** The earlier job of an idempotency key (or a conflict); undefined when the key is free or its job is gone. */
  async #replay(idemKey: string, idempotency: { key: string; fingerprint: string }, tenant: string): Promise<Submission | undefined> {
    const redis = this.#ready();
    const seen = await this.#store(() => redis.get(idemKey));
    if (seen === null) return undefined;
    const cut = seen.indexOf("\n");
    const [fingerprint, jobId] = [seen.slice(0, cut), seen.slice(cut + 1)];
    const [viewJson, owner] = await this.#store(() => redis.hmget(k.job(jobId), "view", "tenant"));
    if (!viewJson || owner !== tenant) return undefined;
    if (fingerprint !== idempotency.fingerprint) {
      throw new ProblemError("idempotency_key_conflict", `Idempotency-Key '${idempotency.key}' was first used with a different body.`);
    }
    return { job: JSON.parse(viewJson) as Job, replayed: true };
  }

  /**
   * The core engine's checks and job view (functions, kinds, limits, range values, default chunk
   * size and concurrency, links): a job forced to stay `accepted` is submitted to a private core
   * engine, its view copied, then forgotten there.
   */
  #validate(request: JobRequest, context?: { requestId?: string }): Job {
    const { job } = this.#validator.submit(request, undefined, "", () => ({ status: "accepted" }), context);
    const view = structuredClone(job);
    this.#validator.cancel(job.id);
    this.#validator.sweep(Number.POSITIVE_INFINITY);
    return view;
  }

  /** Ends a job once (first ending wins, whichever node); the view as ended, or undefined if it had already ended. */
  async #finish(redis: RedisClient, view: Job, status: "successful" | "failed" | "dismissed", outcome: { resultJson?: string; error?: Problem }): Promise<Job | undefined> {
    const { id } = view;
    const finishedAt = new Date();
    const ended: Job = { ...view, status, finishedAt: finishedAt.toISOString() };
    if (!ended.startedAt && status !== "dismissed") ended.startedAt = ended.finishedAt as string;
    if (outcome.error) ended.error = outcome.error;
    const done = await redis.pbFinish(
      k.job(id), k.events(id), k.finished, k.source(id), k.chunks(id), k.resultChars, jobChannel(id),
      JSON.stringify(ended), status, outcome.resultJson ?? "", outcome.error ? JSON.stringify(outcome.error) : "", finishedAt.getTime(), id,
    );
    if (done !== 1) return undefined;
    this.#emit({ type: "finished", job: ended, ...(ended.requestId === undefined ? {} : { requestId: ended.requestId }), durationMs: finishedAt.getTime() - Date.parse(ended.createdAt) });
    return ended;
  }

  /**
   * One job's orchestration, run under its BullMQ lock (the lease) on whichever node took it: the
   * core's chunk runner with an executor that reuses chunk results stored by an earlier holder and
   * stores new ones (once per index); the job's timeout counts from its first start.
   */
  async #orchestrate(id: string): Promise<void> {
    const redis = this.#patient;
    const [viewJson, status] = await redis.hmget(k.job(id), "view", "status");
    if (!viewJson || isTerminal(status as JobStatus)) return;
    let view = JSON.parse(viewJson) as Job;
    if (status === "accepted") {
      const running: Job = { ...view, status: "running", startedAt: new Date().toISOString() };
      const text = JSON.stringify(running);
      if ((await redis.pbUpdate(k.job(id), k.events(id), jobChannel(id), text, "running", "status", text, "start", 0)) === 1) view = running;
      else view = JSON.parse((await redis.hget(k.job(id), "view")) ?? viewJson) as Job;
    }
    if (isTerminal(view.status)) return;
    const sourceJson = await redis.get(k.source(id));
    if (sourceJson === null) return; // ended meanwhile (the source goes with the ending)
    const source = JSON.parse(sourceJson) as JobSource;
    const stored = new Map(Object.entries(await redis.hgetall(k.chunks(id))).map(([index, outcome]) => [Number(index), JSON.parse(outcome) as ChunkOutcome]));
    if (status === "running") this.#opts.outage.log(`serve: job ${id} taken over (its lease ran out); ${stored.size} stored chunk result(s) reused`);
    const abort = new JobStop();
    this.#local.set(id, abort);
    const unwatch = this.#watcher.watch(id, (event) => event === "end" && abort.abort(ENDED));
    const remaining = Date.parse(view.startedAt ?? view.createdAt) + view.options.timeoutMs - Date.now();
    const timer = setTimeout(() => {
      const error = problem("job_timeout", `The job did not finish within ${view.options.timeoutMs} ms.`, { jobId: id });
      void this.#finish(redis, view, "failed", { error }).finally(() => abort.abort(ENDED));
    }, Math.max(0, remaining));
    const progress = { ...view.progress, completedChunks: 0, completedItems: 0 };
    const { chunkSize } = view.options;
    const key = costKey(view);
    const executor: Executor = {
      parallelism: this.#opts.executor.parallelism,
      runChunk: async (task, signal) => {
        const index = Math.round(task.offset / chunkSize);
        const earlier = stored.get(index);
        if (earlier) return earlier;
        const outcome = await this.#opts.executor.runChunk(task, signal);
        // 0: the job ended elsewhere or is gone (Redis lost it): its remaining chunks are not run for nothing.
        if (outcome.ok && (await redis.pbChunk(k.job(id), k.chunks(id), index, JSON.stringify(outcome))) === 0) abort.abort(ENDED);
        return outcome;
      },
      call: (fn, input, signal) => this.#opts.executor.call(fn, input, signal),
      close: async () => undefined,
    };
    const onEvent = this.#opts.onEvent;
    try {
      const outcome = await runJobChunks({
        clock: nodeClock,
        job: view,
        source,
        stop: abort,
        executor,
        registry: this.#opts.registry,
        maxChunkRetries: this.#opts.maxChunkRetries ?? 3,
        maxResultChars: this.#opts.maxResultChars ?? 256 * 1024 * 1024,
        // Chunk times measured on the workers size later jobs' chunks on this node: a small job of
        // a fast function then goes to the queue as one chunk, not one per item (≈ 2 ms each via Redis).
        onItemCost: (itemMs) => this.costs?.measured(key, itemMs),
        ...(onEvent
          ? {
              onChunk: (e: { chunk: number; items: number; durationMs: number; inProcess: boolean }) => this.#emit({ type: "chunk", job: view, ...e }),
              onRetry: (e: { chunk: number; attempt: number; rerun: boolean; reason: string }) => this.#emit({ type: "retry", job: view, ...e }),
            }
          : {}),
        onChunkDone: (items) => {
          progress.completedChunks += 1;
          progress.completedItems += items;
          const text = JSON.stringify({ ...view, progress });
          // Kept monotonic by the script: a node taking over counts from zero and is heard from once it passes the earlier holder.
          void redis
            .pbUpdate(k.job(id), k.events(id), jobChannel(id), text, "running", "progress", JSON.stringify({ jobId: id, progress }), "progress", progress.completedChunks)
            .catch(() => undefined);
        },
      });
      if (outcome === undefined) return;
      if ("error" in outcome) await this.#finish(redis, { ...view, progress }, "failed", { error: outcome.error });
      else await this.#finish(redis, { ...view, progress: { ...progress, completedChunks: progress.totalChunks, completedItems: progress.totalItems } }, "successful", { resultJson: outcome.resultPieces.join("") });
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await this.#finish(redis, view, "failed", { error: problem("internal_error", `The job failed on the server: ${detail}`, { jobId: id }) }).catch(() => undefined);
    } finally {
      clearTimeout(timer);
      unwatch();
      this.#local.delete(id);
    }
  }

  /** A job's events from Redis: the backlog read with the job, then whatever its channel announces (and a poll, for announcements missed during an outage). */
  #feed(id: string, backlog: LoggedEvent[], closed: boolean, lastId: number): JobEventFeed {
    const redis = this.#fast;
    return {
      closed,
      since: (after) => backlog.filter((e) => e.id > after),
      subscribe: (listener) => {
        let last = backlog.at(-1)?.id ?? lastId;
        let reading = false;
        let again = false;
        let ended = false;
        const end = (): void => {
          if (ended) return;
          ended = true;
          unwatch();
          clearInterval(poll);
          this.#feeds.delete(end);
          listener(null);
        };
        const pump = async (): Promise<void> => {
          if (reading) {
            again = true;
            return;
          }
          reading = true;
          try {
            do {
              again = false;
              const entries = (await redis.xrange(k.events(id), `(0-${last}`, "+").catch(() => [])) as StreamEntry[];
              for (const entry of entries) {
                if (ended) return;
                const event = toLogged(entry);
                last = event.id;
                listener(event);
                if (event.event === "status" && isTerminal((JSON.parse(event.data) as Job).status)) return end();
              }
            } while (again && !ended);
          } finally {
            reading = false;
          }
        };
        const unwatch = this.#watcher.watch(id, () => void pump());
        const poll = setInterval(() => void pump(), TICK_MS);
        this.#feeds.add(end);
        void pump();
        return () => {
          ended = true;
          unwatch();
          clearInterval(poll);
          this.#feeds.delete(end);
        };
      },
    };
  }

  /** Refreshes the counts; on one tick in ten, forgets jobs past their TTL or the store budgets (any node may; each removal is atomic). */
  async #tick(): Promise<void> {
    if (this.#fast.status !== "ready") return;
    try {
      const [counts, stored, chars] = await Promise.all([
        this.#queue.getJobCounts("waiting", "prioritized", "delayed", "active"),
        this.#fast.zcard(k.all),
        this.#fast.get(k.resultChars),
      ]);
      this.#counts = { queued: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0), running: counts.active ?? 0, stored };
      this.#resultChars = Number(chars ?? 0);
      if (Date.now() - this.#sweptAt >= 10 * TICK_MS) {
        this.#sweptAt = Date.now();
        await this.#sweep();
      }
    } catch {
      // Redis went away meanwhile: the outage log says so; the next tick tries again.
    }
  }

  async #sweep(): Promise<void> {
    const redis = this.#fast;
    const ttl = this.#opts.jobTtlMs ?? 3_600_000;
    const remove = (id: string): Promise<number> => redis.pbRemove(k.job(id), k.events(id), k.all, k.finished, k.resultChars, id, k.listPrefix);
    if (Number.isFinite(ttl)) for (const id of await redis.zrangebyscore(k.finished, "-inf", Date.now() - ttl, "LIMIT", 0, 500)) await remove(id);
    const maxChars = this.#opts.maxStoredResultChars ?? 256 * 1024 * 1024;
    const maxJobs = this.#opts.maxStoredJobs ?? 10_000;
    // Oldest finished first, like the in-memory engine's eviction; running jobs are bounded by the queue limits.
    for (let round = 0; round < 100; round++) {
      const [chars, jobs] = await Promise.all([redis.get(k.resultChars), redis.zcard(k.all)]);
      if (Number(chars ?? 0) <= maxChars && jobs <= maxJobs) break;
      const oldest = await redis.zrange(k.finished, 0, 49);
      if (oldest.length === 0) break;
      for (const id of oldest) await remove(id);
    }
  }

  #emit(event: JobEngineEvent): void {
    try {
      this.#opts.onEvent?.(event);
    } catch {
      // an observer's failure is not the job's
    }
  }
}

type StreamEntry = [string, string[]];

/** A stream entry (`0-<n>`, fields e and d) as the SSE event it stores. */
function toLogged([streamId, fields]: StreamEntry): LoggedEvent {
  return { id: Number(streamId.slice(streamId.indexOf("-") + 1)), event: fields[1] as LoggedEvent["event"], data: fields[3] as string };
}

/** A job's input as the chunk runner takes it (the request was validated by the core engine). */
function sourceOf(request: JobRequest): JobSource {
  const { input } = request;
  if ("items" in input) return { items: input.items };
  const step = input.range.step ?? 1;
  return { range: { start: input.range.start, step, count: rangeCount(input.range.start, input.range.end, step) } };
}

/** The sequence number in a cursor pageNewestFirst issued (it validated the cursor already). */
function decodeCursor(cursor: string): number {
  return Number(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
}
