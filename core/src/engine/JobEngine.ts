import type { FunctionRegistry } from "../functions/FunctionRegistry.js";
import { defaultLimits } from "../limits.js";
import { ProblemError, problem } from "../problem.js";
import type { EffectiveJobOptions, Job, JobRequest, JobStatus, Problem } from "../protocol.js";
import { defaultChunkSize, rangeCount, sourceSize, type JobSource } from "./chunking.js";
import { pause, systemClock, type EngineClock } from "./EngineClock.js";
import { EventLog } from "./EventLog.js";
import type { Executor } from "./Executor.js";
import { pageNewestFirst, type JobQuery } from "./pageNewestFirst.js";
import { runJobChunks, type JobChunksRun } from "./runJobChunks.js";
import { FunctionCosts } from "./FunctionCosts.js";
import { JobStop } from "./JobStop.js";

/** How the heap stands, for engines that guard it (the server passes V8's figures). */
export interface MemoryProbe {
  /** Bytes in use and the limit they must stay under. */
  (): { used: number; limit: number };
}

/**
 * How a job ends instead of running its function: the msw mocks' `mock.job(...)`. `accepted` never
 * starts, `running` never ends; the others pace through their chunks, then end that way.
 */
export type ForcedOutcome =
  | { status: "accepted" }
  | { status: "running" }
  | { status: "successful"; resultJson?: string }
  | { status: "failed"; error?: Problem }
  | { status: "dismissed" };

/** Limits and policies of a job engine. */
export interface JobEngineOptions {
  executor: Executor;
  registry: FunctionRegistry;
  /** Jobs running at once; the rest wait in the queue. Default 4. */
  maxRunningJobs?: number;
  /** Jobs waiting to run; past it submissions get `503 queue_full`. Default 256. */
  maxQueuedJobs?: number;
  /** How long finished jobs (and their idempotency keys) are kept. Default 1 hour. */
  jobTtlMs?: number;
  /** `timeoutMs` of jobs that do not set one. Default 5 minutes. */
  defaultTimeoutMs?: number;
  /** Most items of an `items` input. Default 1,000,000. */
  maxItems?: number;
  /** Most values of a `range` input. Default 100,000,000. */
  maxRangeItems?: number;
  /** Re-runs of a chunk whose worker died before the job fails with `worker_crashed`. Default 3. */
  maxChunkRetries?: number;
  /** Timers, now and the event-loop yield. Default {@link systemClock}. */
  clock?: EngineClock;
  /** Job ids. Default `job_` and 32 random hex digits. */
  newId?: () => string;
  /** The heap, for budgets and the submit-time guard. Default: no guard, fixed budgets. */
  memory?: MemoryProbe;
  /** Waited before a job starts and before each chunk (the mocks' pacing). Default 0. */
  startDelayMs?: number;
  chunkDelayMs?: number;
  /** URL prefix for job links. Default `/v1`. */
  basePath?: string;
  /**
   * Size the default chunks of functions that are not `inline` by their measured time per item
   * (see `defaultChunkSize`): small jobs of fast functions then go to a worker as one chunk.
   * Default false (the chunk counts of a job then depend on its size only); the reference server
   * turns it on.
   */
  adaptiveChunks?: boolean;
  /**
   * Budget for the results of finished jobs, in characters of JSON. Past it the oldest finished
   * jobs are removed before their TTL, so memory stays bounded. Default: an eighth of the heap
   * limit, at most 256 Mi.
   */
  maxStoredResultChars?: number;
  /** Largest result of one job, in characters of JSON; past it the job fails with `result_too_large`. Default 256 Mi. */
  maxResultChars?: number;
  /** Most jobs kept (finished ones count until evicted, oldest first). Default 10,000. */
  maxStoredJobs?: number;
  /**
   * Budget for what is kept of jobs besides their results (records, event logs, idempotency keys),
   * in estimated bytes; past it the oldest finished jobs are evicted. Default: an eighth of the
   * heap limit, at most 256 MiB.
   */
  maxStoredBytes?: number;
  /**
   * Observes what happens to jobs, for metrics and logs (the reference server wires prom-client
   * and its logger here; the engine itself stays browser-safe). Called synchronously, after the
   * fact; what it throws is ignored. See {@link JobEngineEvent}.
   */
  onEvent?: (event: JobEngineEvent) => void;
}

/**
 * What {@link JobEngineOptions.onEvent} observes. `job` is the job's live view (read it, do not
 * change it); `requestId` is the one given to `submit` (the request that created the job).
 * - `submitted`: a new job was accepted (replays of an `Idempotency-Key` are not new);
 * - `finished`: it ended (`job.status` is `successful`, `failed` or `dismissed`); `durationMs`
 *   from submission;
 * - `chunk`: one chunk's items were computed (`inProcess`: on the engine's thread, not a worker);
 * - `retry`: a chunk's worker died or its executor failed it (`reason`); `rerun` says whether the
 *   chunk runs again or the job fails with `worker_crashed`.
 */
export type JobEngineEvent =
  | { type: "submitted"; job: Job; requestId?: string }
  | { type: "finished"; job: Job; requestId?: string; durationMs: number }
  | { type: "chunk"; job: Job; chunk: number; items: number; durationMs: number; inProcess: boolean }
  | { type: "retry"; job: Job; chunk: number; attempt: number; rerun: boolean; reason: string };

interface JobRecord {
  seq: number;
  /** Who submitted it (a hash of the bearer token, "" without auth): only they see it. */
  tenant: string;
  /** Estimated bytes kept for this job (record, log, result), counted in the store budget. */
  bytes: number;
  view: Job;
  /** Emptied when the job ends: a finished job keeps its result, not its input. */
  source: JobSource;
  log: EventLog;
  abort: JobStop;
  done: Promise<void>;
  resolveDone: () => void;
  /** The request that created the job (for {@link JobEngineEvent}s). */
  requestId?: string;
  /** When it was submitted (the clock's `now`), for the `finished` event's duration. */
  submittedAt: number;
  /**
   * The result, serialized once when the job succeeds, as JSON text in pieces (a map's chunk
   * texts, never joined): result and wait answers write them one after another.
   */
  result?: { pieces: readonly string[]; chars: number };
  /** The view as JSON once the job is terminal (it no longer changes): its last status event and the wait answer. */
  finalJson?: string;
  idempotencyKey?: string;
  timer?: unknown;
  forced?: ForcedOutcome;
}

/** What a submission returns. */
export interface Submission {
  job: Job;
  replayed: boolean;
}

const FINISHED = new Error("job finished");

/** Bytes a finished job's record takes besides its JSON texts (objects, maps, log entries), measured. */
const RECORD_OVERHEAD_BYTES = 4_096;

/**
 * Past this share of the heap limit, submissions first evict finished jobs, then get 503. V8's
 * limit counts the young generation too (a 64 MB old space reports 112 MB), so half of it is
 * already close to where the old space runs out.
 */
const HEAP_HIGH_WATER = 0.5;

const MAX_BUDGET = 256 * 1024 * 1024;

/** Each store budget's default: an eighth of the heap limit when known, at most 256 Mi. */
const budget = (memory: MemoryProbe | undefined): number => Math.min(memory ? memory().limit / 8 : MAX_BUDGET, MAX_BUDGET);

const randomId = (): string => `job_${globalThis.crypto.randomUUID().replaceAll("-", "")}`;

const TERMINAL: ReadonlySet<JobStatus> = new Set(["successful", "failed", "dismissed"]);

/** The kind of function (`function` field) each job kind needs. */
const FUNCTION_KINDS = { map: "unary", filter: "unary", fold: "reducer", mapreduce: "emitter" } as const;

/**
 * What a job's time per item depends on, its kind and functions: the key of its {@link FunctionCosts} entry.
 *
 * @example
 * costKey({ kind: "fold", function: "countPrimes" }); // "fold countPrimes "
 */
export function costKey(job: { kind: string; function: string; reducer?: string | undefined }): string {
  return `${job.kind} ${job.function} ${job.reducer ?? ""}`;
}

/**
 * runJobChunks' hooks that feed and read a function's measured cost: chunks computed on workers
 * teach it (their compute time per item); small chunks predicted cheap run on this thread.
 */
function adaptiveHooks(costs: FunctionCosts, key: string, mayRunHere: boolean): Pick<JobChunksRun, "onItemCost" | "inlineChunk" | "onInlineRan"> {
  return {
    onItemCost: (itemMs) => costs.measured(key, itemMs),
    ...(mayRunHere ? { inlineChunk: (items: number) => costs.canInline(key, items), onInlineRan: (items: number, ms: number) => costs.ranInline(key, items, ms) } : {}),
  };
}

/**
 * A job's `status` event as it was when the job entered `status` (`accepted` or `running`), made
 * from its view later: only a client reading the event pays for the text. Until then nothing has
 * run, so the progress was zero and it had no end; an accepted job had not started either.
 */
function statusJson(view: Job, status: "accepted" | "running"): string {
  const progress = { ...view.progress, completedChunks: 0, completedItems: 0 };
  return JSON.stringify({ ...view, status, progress, ...(status === "accepted" ? { startedAt: undefined } : {}), finishedAt: undefined, error: undefined });
}

/** True for `successful`, `failed` and `dismissed`. */
export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

/**
 * Accepts jobs, queues them (bounded), splits them into chunks, runs the chunks on an
 * {@link Executor}, combines partial results and logs events. Routes talk only to this class,
 * so a distributed executor can replace the local pool without touching them.
 *
 * @example
 * const engine = new JobEngine({ executor, registry });
 * const { job } = engine.submit({ kind: "map", function: "square", input: { items: [1, 2] } });
 * await engine.wait(job.id, 5_000);
 * engine.resultJson(job.id); // '{"kind":"map","items":[1,4]}'
 */
export class JobEngine {
  readonly #opts: Required<Omit<JobEngineOptions, "executor" | "registry" | "memory" | "onEvent" | "adaptiveChunks">>;
  readonly #onEvent: ((event: JobEngineEvent) => void) | undefined;
  readonly #memory: MemoryProbe | undefined;
  readonly #clock: EngineClock;
  readonly #executor: Executor;
  readonly #registry: FunctionRegistry;
  readonly #jobs = new Map<string, JobRecord>();
  /**
   * What the engine measured of each function (with `adaptiveChunks`): sizes default chunks and
   * lets small work of fast functions run on this thread. The server's sync calls share it.
   */
  readonly costs: FunctionCosts | undefined;
  readonly #keys = new Map<string, { fingerprint: string; jobId: string }>();
  readonly #queue: JobRecord[] = [];
  readonly #running = new Set<JobRecord>();
  /**
   * Ids of finished jobs in the order they finished, the oldest at `#finishedHead`: eviction takes
   * the oldest at once, instead of walking the job map past the holes its earlier deletions left
   * (thousands, between two rehashes of a full store). Ids, not records: a job removed otherwise
   * (TTL, the heap guard) leaves only its id behind until the queue is compacted.
   */
  #finished: string[] = [];
  #finishedHead = 0;
  /** Finished jobs still kept: the rest of the queue past its head is ids of removed ones. */
  #finishedKept = 0;
  #sweeper: unknown;
  #disposed = false;
  #seq = 0;
  #draining = false;
  #resultChars = 0;
  #storedBytes = 0;
  #isoMs = Number.NaN;
  #isoText = "";

  constructor(options: JobEngineOptions) {
    this.#executor = options.executor;
    this.#registry = options.registry;
    this.#memory = options.memory;
    this.#onEvent = options.onEvent;
    this.#clock = options.clock ?? systemClock;
    this.costs = options.adaptiveChunks ? new FunctionCosts() : undefined;
    this.#opts = {
      maxRunningJobs: options.maxRunningJobs ?? 4,
      maxQueuedJobs: options.maxQueuedJobs ?? 256,
      jobTtlMs: options.jobTtlMs ?? 3_600_000,
      defaultTimeoutMs: options.defaultTimeoutMs ?? defaultLimits.jobTimeoutMs,
      maxItems: options.maxItems ?? defaultLimits.maxItems,
      maxRangeItems: options.maxRangeItems ?? defaultLimits.maxRangeItems,
      maxChunkRetries: options.maxChunkRetries ?? 3,
      basePath: options.basePath ?? "/v1",
      maxStoredResultChars: options.maxStoredResultChars ?? budget(options.memory),
      maxResultChars: options.maxResultChars ?? MAX_BUDGET,
      maxStoredJobs: options.maxStoredJobs ?? 10_000,
      maxStoredBytes: options.maxStoredBytes ?? budget(options.memory),
      clock: this.#clock,
      newId: options.newId ?? randomId,
      startDelayMs: options.startDelayMs ?? 0,
      chunkDelayMs: options.chunkDelayMs ?? 0,
    };
    this.#scheduleSweep();
  }

  #scheduleSweep(): void {
    if (this.#disposed || !Number.isFinite(this.#opts.jobTtlMs)) return;
    this.#sweeper = this.#clock.setTimeout(() => {
      this.sweep();
      this.#scheduleSweep();
    }, Math.min(this.#opts.jobTtlMs, 60_000));
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** What the store holds (all tenants): characters of result JSON, and the estimated bytes of everything kept (results included). */
  storeUsage(): { resultChars: number; storedBytes: number } {
    return { resultChars: this.#resultChars, storedBytes: this.#storedBytes };
  }

  /** Jobs waiting, running and kept (all tenants). */
  counts(): { queued: number; running: number; stored: number } {
    return { queued: this.#queue.length, running: this.#running.size, stored: this.#jobs.size };
  }

  /**
   * Validates and enqueues a job. With an idempotency key, the same key and fingerprint replay
   * the first job; the same key with another fingerprint is `idempotency_key_conflict`.
   */
  submit(
    request: JobRequest,
    idempotency?: { key: string; fingerprint: string },
    tenant = "",
    /** Taken only once the request is accepted (a replay or a refusal must not use it up). */
    forced?: () => ForcedOutcome | undefined,
    /** Who asked: `requestId` becomes the job's `requestId` and is carried into its {@link JobEngineEvent}s. */
    context?: { requestId?: string },
  ): Submission {
    if (this.#draining) throw new ProblemError("shutting_down", "The server is shutting down.", { retryAfterSeconds: 5 });
    const scopedKey = idempotency && `${tenant}\n${idempotency.key}`;
    if (idempotency && scopedKey) {
      const seen = this.#keys.get(scopedKey);
      const earlier = seen && this.#jobs.get(seen.jobId);
      if (seen && earlier) {
        if (seen.fingerprint !== idempotency.fingerprint) {
          throw new ProblemError("idempotency_key_conflict", `Idempotency-Key '${idempotency.key}' was first used with a different body.`);
        }
        return { job: earlier.view, replayed: true };
      }
    }
    this.#checkFunctions(request);
    const source = this.#source(request);
    if (this.#queue.length >= this.#opts.maxQueuedJobs) {
      throw new ProblemError("queue_full", `${this.#queue.length} jobs are already waiting.`, { retryAfterSeconds: 1 });
    }
    this.#guardMemory();
    const total = sourceSize(source);
    const options: EffectiveJobOptions = {
      chunkSize:
        request.options?.chunkSize ??
        defaultChunkSize(total, this.#executor.parallelism, this.#registry.get(request.function)?.inline === true, this.costs?.itemMs(costKey(request))),
      concurrency: request.options?.concurrency ?? this.#executor.defaultConcurrency ?? this.#executor.parallelism,
      timeoutMs: request.options?.timeoutMs ?? this.#opts.defaultTimeoutMs,
    };
    const id = this.#opts.newId();
    const outcome = forced?.();
    const base = `${this.#opts.basePath}/jobs/${id}`;
    let resolveDone!: () => void;
    const record: JobRecord = {
      seq: ++this.#seq,
      tenant,
      bytes: 0,
      view: {
        id,
        kind: request.kind,
        function: request.function,
        ...("reducer" in request ? { reducer: request.reducer } : {}),
        status: "accepted",
        progress: { completedChunks: 0, totalChunks: Math.ceil(total / options.chunkSize), completedItems: 0, totalItems: total },
        options,
        createdAt: this.#iso(),
        links: { self: base, result: `${base}/result`, events: `${base}/events` },
        ...(context?.requestId === undefined ? {} : { requestId: context.requestId }),
      },
      source,
      log: new EventLog(),
      abort: new JobStop(),
      done: new Promise<void>((resolve) => (resolveDone = resolve)),
      resolveDone: () => resolveDone(),
      ...(outcome ? { forced: outcome } : {}),
      ...(context?.requestId === undefined ? {} : { requestId: context.requestId }),
      submittedAt: this.#clock.now(),
    };
    if (idempotency && scopedKey) {
      record.idempotencyKey = scopedKey;
      this.#keys.set(scopedKey, { fingerprint: idempotency.fingerprint, jobId: id });
    }
    this.#jobs.set(id, record);
    this.#account(record, RECORD_OVERHEAD_BYTES + (idempotency ? 2 * (scopedKey?.length ?? 0) + 128 : 0));
    this.#enforceStoreBounds(record);
    const { view } = record;
    record.log.append("status", () => statusJson(view, "accepted"));
    this.#emit({ type: "submitted", job: record.view, ...(record.requestId === undefined ? {} : { requestId: record.requestId }) });
    // A job forced to stay accepted never takes a running slot.
    if (outcome?.status !== "accepted") {
      this.#queue.push(record);
      if (this.#opts.startDelayMs > 0) this.#clock.setTimeout(() => this.#pump(), this.#opts.startDelayMs);
      else this.#pump();
    }
    return { job: record.view, replayed: false };
  }

  get(id: string, tenant = ""): Job {
    return this.#record(id, tenant).view;
  }

  /**
   * The job as JSON with its `result` (`Prefer: wait`), in pieces to write one after another:
   * the stored result text is spliced in, never parsed, re-serialized or copied into one string.
   * Undefined unless the job succeeded.
   */
  jobWithResultJson(id: string, tenant = ""): string[] | undefined {
    const record = this.#record(id, tenant);
    if (record.result === undefined) return undefined;
    return [`${(record.finalJson ?? JSON.stringify(record.view)).slice(0, -1)},"result":`, ...record.result.pieces, "}"];
  }

  /** The event log of a job, for SSE. */
  events(id: string, tenant = ""): EventLog {
    return this.#record(id, tenant).log;
  }

  /** The result of a successful job as JSON text; problems for every other state. */
  resultJson(id: string, tenant = ""): string {
    const pieces = this.resultPieces(id, tenant);
    return pieces.length === 1 ? pieces[0]! : pieces.join("");
  }

  /**
   * The result of a successful job as JSON text in pieces to write one after another (a big
   * map result is never copied into one string); problems for every other state.
   */
  resultPieces(id: string, tenant = ""): readonly string[] {
    const record = this.#record(id, tenant);
    const { status } = record.view;
    if (record.result !== undefined) return record.result.pieces;
    if (status === "failed") {
      throw new ProblemError("job_failed", `Job '${id}' failed: ${record.view.error?.detail ?? record.view.error?.title ?? "unknown error"}`, { jobId: id });
    }
    if (status === "dismissed") throw new ProblemError("job_dismissed", `Job '${id}' was dismissed.`, { jobId: id });
    throw new ProblemError("result_not_ready", `Job '${id}' is ${status}.`, { jobId: id, retryAfterSeconds: 1 });
  }

  /** Resolves when the job is terminal or `timeoutMs` passed, whichever is first. */
  async wait(id: string, timeoutMs: number, tenant = ""): Promise<Job> {
    const record = this.#record(id, tenant);
    if (!isTerminal(record.view.status) && timeoutMs > 0) {
      // A plain timer, cleared when the job ends first: no AbortController (whose abort builds a
      // DOMException) per waiting request.
      let handle: unknown;
      await Promise.race([record.done, new Promise<void>((resolve) => (handle = this.#clock.setTimeout(resolve, timeoutMs)))]);
      this.#clock.clearTimeout(handle);
    }
    return record.view;
  }

  cancel(id: string, tenant = ""): Job {
    const record = this.#record(id, tenant);
    const { status } = record.view;
    if (status === "successful" || status === "failed") {
      throw new ProblemError("job_already_finished", `Job '${id}' already finished (${status}).`, { jobId: id });
    }
    if (status !== "dismissed") this.#finish(record, "dismissed", { error: problem("job_cancelled", "Cancelled by a client.", { jobId: id }) });
    return record.view;
  }

  /** Newest first, optionally by status; the cursor is the last seen job's sequence number. */
  list(query: JobQuery, tenant = ""): { jobs: Job[]; nextCursor: string | null } {
    const page = pageNewestFirst(this.#ofTenant(tenant), query);
    if (!page) {
      throw new ProblemError("validation_failed", "The cursor is not one this server issued.", {
        errors: [{ path: "/cursor", message: "must be a nextCursor from a previous page" }],
      });
    }
    return page;
  }

  /**
   * Stops accepting jobs, lets queued and running ones finish within `graceMs`, then dismisses
   * what is left.
   */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    const pending = [...this.#jobs.values()].filter((r) => !isTerminal(r.view.status));
    const timer = new AbortController();
    await Promise.race([Promise.all(pending.map((r) => r.done)), pause(this.#clock, graceMs, timer.signal)]);
    timer.abort();
    for (const record of pending) {
      if (!isTerminal(record.view.status)) {
        this.#finish(record, "dismissed", { error: problem("job_cancelled", "The server shut down before the job finished.", { jobId: record.view.id }) });
      }
    }
    this.dispose();
  }

  /**
   * Stops every timer and forgets every job at once (running ones are aborted, waiters released):
   * for tests and the mocks' `reset()`. The engine takes no work afterwards.
   */
  dispose(): void {
    this.#disposed = true;
    this.#draining = true;
    this.#clock.clearTimeout(this.#sweeper);
    for (const record of this.#jobs.values()) {
      this.#clock.clearTimeout(record.timer);
      record.abort.abort(FINISHED);
      record.log.close();
      record.resolveDone();
    }
    this.#jobs.clear();
    this.#keys.clear();
    this.#queue.length = 0;
    this.#running.clear();
    this.#finished = [];
    this.#finishedHead = 0;
    this.#finishedKept = 0;
  }

  /** Removes terminal jobs older than the TTL (runs on a timer; public for tests). */
  sweep(now = this.#clock.now()): void {
    for (const record of this.#jobs.values()) {
      const finished = record.view.finishedAt ? Date.parse(record.view.finishedAt) : Number.NaN;
      if (finished + this.#opts.jobTtlMs <= now) this.#remove(record);
    }
  }

  /** Now as an ISO timestamp; a job's three timestamps often fall in the same millisecond. */
  #iso(): string {
    const now = this.#clock.now();
    if (now !== this.#isoMs) {
      this.#isoMs = now;
      this.#isoText = new Date(now).toISOString();
    }
    return this.#isoText;
  }

  *#ofTenant(tenant: string): Generator<JobRecord> {
    for (const record of this.#jobs.values()) if (record.tenant === tenant) yield record;
  }

  #remove(record: JobRecord): void {
    if (!this.#jobs.delete(record.view.id)) return;
    if (record.idempotencyKey) this.#keys.delete(record.idempotencyKey);
    this.#resultChars -= record.result?.chars ?? 0;
    this.#storedBytes -= record.bytes;
    if (isTerminal(record.view.status)) this.#finishedKept -= 1;
    this.#compactFinished();
  }

  /** Drops the ids of removed jobs from the finished queue once they outnumber the kept ones. */
  #compactFinished(): void {
    const dead = this.#finished.length - this.#finishedHead - this.#finishedKept;
    if (dead > 1_024 && dead > this.#finishedKept) {
      this.#finished = this.#finished.slice(this.#finishedHead).filter((id) => this.#jobs.has(id));
      this.#finishedHead = 0;
    }
  }

  #account(record: JobRecord, bytes: number): void {
    record.bytes += bytes;
    this.#storedBytes += bytes;
  }

  /**
   * Evicts the oldest finished jobs (never `keep`) while results, estimated bytes or the job
   * count are over their budgets. Jobs still queued or running are bounded by the queue limits.
   */
  #enforceStoreBounds(keep: JobRecord): void {
    const over = (): boolean =>
      this.#resultChars > this.#opts.maxStoredResultChars || this.#storedBytes > this.#opts.maxStoredBytes || this.#jobs.size > this.#opts.maxStoredJobs;
    while (over() && this.#finishedHead < this.#finished.length) {
      const oldest = this.#jobs.get(this.#finished[this.#finishedHead]!);
      if (oldest === keep) break;
      this.#finishedHead += 1;
      if (oldest) this.#remove(oldest);
    }
    if (this.#finishedHead > 1_024 && this.#finishedHead * 2 > this.#finished.length) {
      this.#finished = this.#finished.slice(this.#finishedHead);
      this.#finishedHead = 0;
    }
  }

  /**
   * Before accepting work near the heap limit: evict the oldest half of the finished jobs (the
   * heap figure only drops after the next GC, so it is not read again); with no finished job left
   * to evict, refuse with 503 (retry later) rather than risk the process.
   */
  #guardMemory(): void {
    if (!this.#memory) return;
    const { used, limit } = this.#memory();
    if (used < limit * HEAP_HIGH_WATER) return;
    const finished = [...this.#jobs.values()].filter((r) => isTerminal(r.view.status));
    for (const record of finished.slice(0, Math.ceil(finished.length / 2))) this.#remove(record);
    if (finished.length === 0) {
      throw new ProblemError("queue_full", "The server is low on memory; retry shortly.", { retryAfterSeconds: 2 });
    }
  }

  /** A job of this tenant; another tenant's job is reported as missing, never as forbidden. */
  #record(id: string, tenant: string): JobRecord {
    const record = this.#jobs.get(id);
    if (!record || record.tenant !== tenant) throw new ProblemError("job_not_found", `No job '${id}'.`);
    return record;
  }

  #checkFunctions(request: JobRequest): void {
    this.#checkFunction(request, request.function, FUNCTION_KINDS[request.kind], "function");
    if (request.kind === "mapreduce") this.#checkFunction(request, request.reducer, "reducer", "reducer");
  }

  #checkFunction(request: JobRequest, name: string, kind: string, field: string): void {
    const def = this.#registry.get(name);
    if (!def) throw new ProblemError("function_not_found", `No function '${name}'.`);
    if (def.kind !== kind) {
      throw new ProblemError("function_kind_mismatch", `'${name}' is a ${def.kind} function; a ${request.kind} job needs a ${kind} ${field}.`, {
        errors: [{ path: `/${field}`, message: `must name a ${kind} function` }],
      });
    }
  }

  #source(request: JobRequest): JobSource {
    const { input } = request;
    if ("items" in input) {
      if (input.items.length > this.#opts.maxItems) {
        throw new ProblemError("too_many_items", `${input.items.length} items is more than the limit of ${this.#opts.maxItems}.`);
      }
      return { items: input.items };
    }
    const { start, end } = input.range;
    const step = input.range.step ?? 1;
    const invalid = [
      ["start", start],
      ["end", end],
      ["step", step],
    ].filter(([, v]) => !Number.isSafeInteger(v));
    if (invalid.length > 0) {
      throw new ProblemError("validation_failed", "Range bounds must be safe integers.", {
        errors: invalid.map(([k]) => ({ path: `/input/range/${String(k)}`, message: "must be between -(2^53-1) and 2^53-1" })),
      });
    }
    const count = rangeCount(start, end, step);
    if (count > this.#opts.maxRangeItems) {
      throw new ProblemError("too_many_items", `The range has ${count} values, more than the limit of ${this.#opts.maxRangeItems}.`);
    }
    // Workers do not re-validate range values, so both ends are checked here (bounds in
    // the schema are then met by every value in between).
    const def = this.#registry.get(request.function);
    const last = start + (count - 1) * step;
    const bad = count > 0 && def ? [["start", start], ["end", last]].filter(([, v]) => !def.input.safeParse(v).success) : [];
    if (bad.length > 0) {
      throw new ProblemError("validation_failed", `'${request.function}' does not accept every value of this range.`, {
        errors: bad.map(([k, v]) => ({ path: `/input/range/${String(k)}`, message: `value ${String(v)} is not a valid input of ${request.function}` })),
      });
    }
    return { range: { start, step, count } };
  }

  #pump(): void {
    while (this.#running.size < this.#opts.maxRunningJobs && this.#queue.length > 0) {
      const record = this.#queue.shift() as JobRecord;
      if (isTerminal(record.view.status)) continue;
      this.#running.add(record);
      void this.#run(record);
    }
  }

  /** Runs a job; whatever goes wrong on this thread fails the job, never the process. */
  async #run(record: JobRecord): Promise<void> {
    try {
      await this.#runChunks(record);
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.#finish(record, "failed", { error: problem("internal_error", `The job failed on the server: ${detail}`, { jobId: record.view.id }) });
    }
  }

  async #runChunks(record: JobRecord): Promise<void> {
    const { view } = record;
    view.status = "running";
    view.startedAt = this.#iso();
    record.log.append("status", () => statusJson(view, "running"));
    const { forced } = record;
    // Checked before the timeout is armed: a job forced to stay running never ends (ForcedOutcome),
    // so it must not fail with job_timeout either.
    if (forced?.status === "running") return;
    record.timer = this.#clock.setTimeout(() => {
      this.#finish(record, "failed", { error: problem("job_timeout", `The job did not finish within ${view.options.timeoutMs} ms.`, { jobId: view.id }) });
    }, view.options.timeoutMs);
    // A forced failure or dismissal comes when the last chunk would have finished.
    const ending = forced !== undefined && forced.status !== "successful";
    const outcome = await runJobChunks({
      clock: this.#clock,
      chunkDelayMs: this.#opts.chunkDelayMs,
      chunks: ending ? Math.max(view.progress.totalChunks - 1, 0) : view.progress.totalChunks,
      compute: forced === undefined || (forced.status === "successful" && forced.resultJson === undefined),
      job: view,
      source: record.source,
      stop: record.abort,
      executor: this.#executor,
      registry: this.#registry,
      maxChunkRetries: this.#opts.maxChunkRetries,
      maxResultChars: this.#opts.maxResultChars,
      ...(this.costs ? adaptiveHooks(this.costs, costKey(view), this.#mayRunHere(view)) : {}),
      ...(this.#onEvent
        ? {
            onChunk: (e: { chunk: number; items: number; durationMs: number; inProcess: boolean }) => this.#emit({ type: "chunk", job: view, ...e }),
            onRetry: (e: { chunk: number; attempt: number; rerun: boolean; reason: string }) => this.#emit({ type: "retry", job: view, ...e }),
          }
        : {}),
      onChunkDone: (items) => {
        const { progress } = view;
        const completedChunks = (progress.completedChunks += 1);
        const completedItems = (progress.completedItems += items);
        record.log.append("progress", () =>
          JSON.stringify({ jobId: view.id, progress: { completedChunks, totalChunks: progress.totalChunks, completedItems, totalItems: progress.totalItems } }),
        );
      },
    });
    if (outcome === undefined || isTerminal(view.status)) return;
    if (forced?.status === "failed") {
      const error = forced.error ?? problem("item_failed", "Mocked failure.", { itemIndex: 0 });
      return this.#finish(record, "failed", { error: { ...error, jobId: error.jobId ?? view.id } });
    }
    if (forced?.status === "dismissed") return this.#finish(record, "dismissed", { error: problem("job_cancelled", "Cancelled by a client.", { jobId: view.id }) });
    if (forced?.status === "successful" && forced.resultJson !== undefined) {
      return this.#finish(record, "successful", { result: { pieces: [forced.resultJson], chars: forced.resultJson.length } });
    }
    if ("error" in outcome) this.#finish(record, "failed", { error: outcome.error });
    else this.#finish(record, "successful", { result: { pieces: outcome.resultPieces, chars: outcome.resultChars } });
  }

  /**
   * Whether a job's functions may run on this thread when measured tiny: only functions that opt
   * in with `inline: "auto"` (a user function left unset may loop forever on some input).
   */
  #mayRunHere(job: { function: string; reducer?: string | undefined }): boolean {
    return [job.function, job.reducer].every((name) => name === undefined || this.#registry.get(name)?.inline === "auto");
  }

  /** Tells the observer; an observer's failure is not the job's. */
  #emit(event: JobEngineEvent): void {
    if (!this.#onEvent) return;
    try {
      this.#onEvent(event);
    } catch {
      // ignored: see JobEngineOptions.onEvent
    }
  }

  #finish(record: JobRecord, status: "successful" | "failed" | "dismissed", outcome: { result?: JobRecord["result"]; error?: Problem }): void {
    const { view } = record;
    if (isTerminal(view.status)) return;
    view.status = status;
    view.finishedAt = this.#iso();
    if (!view.startedAt && status !== "dismissed") view.startedAt = view.finishedAt;
    if (outcome.error) view.error = outcome.error;
    const { result } = outcome;
    if (result !== undefined) {
      record.result = result;
      this.#resultChars += result.chars;
    }
    record.source = { items: [] };
    this.#clock.clearTimeout(record.timer);
    record.timer = undefined;
    // Aborting frees the workers of sibling chunks still running (a shared reason: no stack trace per job).
    if (status !== "successful") record.abort.abort(FINISHED);
    // The SSE event joins the pieces only when a client reads it: most results are never streamed as events.
    if (result !== undefined) record.log.append("result", () => (result.pieces.length === 1 ? result.pieces[0]! : result.pieces.join("")));
    if (outcome.error) record.log.append("error", JSON.stringify(outcome.error));
    const finalJson = JSON.stringify(view);
    record.finalJson = finalJson;
    record.log.append("status", finalJson);
    record.log.close();
    // What a finished job keeps besides its result (counted in the result budget): view and log.
    this.#account(record, 2 * (finalJson.length + record.log.textLength(finalJson.length)));
    this.#finished.push(view.id);
    this.#finishedKept += 1;
    this.#enforceStoreBounds(record);
    this.#running.delete(record);
    const queued = this.#queue.indexOf(record);
    if (queued >= 0) this.#queue.splice(queued, 1);
    record.resolveDone();
    this.#emit({ type: "finished", job: view, ...(record.requestId === undefined ? {} : { requestId: record.requestId }), durationMs: this.#clock.now() - record.submittedAt });
    this.#pump();
  }
}
