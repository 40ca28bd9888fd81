import type { FunctionRegistry, ReducerFunction } from "@polybridge/core/functions";
import type { Job, JobRequest, JobResult, JobStatus, Problem } from "../schemaTypes.js";
import { MockContractError } from "./checkResponse.js";
import {
  EventLog,
  ResultAccumulator,
  chunkSource,
  pageNewestFirst,
  type JobQuery,
  defaultChunkSize,
  rangeCount,
  runChunk,
  sourceSize,
  type ChunkOutcome,
  type JobSource,
} from "@polybridge/core/engine";
import { MockProblemError, mockProblem } from "./mockProblem.js";
import type { MockLimits } from "./readJsonBody.js";
import type { SeededRandom } from "./seededRandom.js";

/** How a mocked job ends instead of running its function (see `mock.job`). */
export type MockJobOutcome =
  /** Stays `accepted` forever (a queue that never drains). */
  | { status: "accepted" }
  /** Starts and stays `running` forever (a job that never finishes). */
  | { status: "running" }
  /** Runs its chunks on the timers, then succeeds with `result` (default: what the function computes). */
  | { status: "successful"; result?: JobResult }
  /** Runs its chunks on the timers, then fails with `error` (default: `item_failed` at item 0). */
  | { status: "failed"; error?: Problem }
  /** Runs its chunks on the timers, then is dismissed (as if cancelled). */
  | { status: "dismissed" };

/** What the engine needs from `createHandlers`. */
export interface MockJobEngineOptions {
  registry: FunctionRegistry;
  random: SeededRandom;
  limits: MockLimits;
  /** Time a job waits before it starts, and before each chunk runs. */
  delayMs: number;
  /** The pretend worker count: default `concurrency` and the basis of the default `chunkSize`. */
  workers: number;
  /** `timeoutMs` of jobs that do not set one. */
  defaultTimeoutMs: number;
  /** The clock of `createdAt`/`startedAt`/`finishedAt`. */
  now: () => number;
}

interface MockJobRecord {
  seq: number;
  /** The token that submitted it (its tenant); undefined when auth is off. */
  owner: string | undefined;
  view: Job;
  source: JobSource;
  log: EventLog;
  abort: AbortController;
  done: Promise<void>;
  resolveDone: () => void;
  result?: JobResult;
  outcome?: MockJobOutcome;
  /** The `timeoutMs` timer, cleared when the job ends so it does not keep a test process alive. */
  timeout?: ReturnType<typeof setTimeout>;
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(["successful", "failed", "dismissed"]);

/** True for `successful`, `failed` and `dismissed`. */
export const isTerminalStatus = (status: JobStatus): boolean => TERMINAL.has(status);

/**
 * The protocol's job engine in memory, with the reference server's semantics: validation at
 * submit, chunking, progress per chunk, first item error fails the job, timeouts, cancel,
 * idempotency keys, replayable event logs, newest-first paging. Work happens on timers, one
 * `delayMs` before the start and before each chunk, so progress can be watched in a UI test.
 *
 * @example
 * const engine = new MockJobEngine({ registry, random: seededRandom(1), limits: DEFAULT_LIMITS,
 *   delayMs: 0, workers: 4, defaultTimeoutMs: 300_000, now: Date.now });
 * const { job } = engine.submit({ kind: "map", function: "square", input: { items: [2] } });
 * (await engine.wait(job.id, 1_000)).status; // "successful"
 */
export class MockJobEngine {
  readonly #opts: MockJobEngineOptions;
  readonly #jobs = new Map<string, MockJobRecord>();
  readonly #keys = new Map<string, { fingerprint: string; jobId: string }>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #random: SeededRandom;
  #seq = 0;

  constructor(options: MockJobEngineOptions) {
    this.#opts = options;
    this.#random = options.random;
  }

  counts(): { queued: number; running: number; stored: number } {
    const all = [...this.#jobs.values()].map((r) => r.view.status);
    return { queued: all.filter((s) => s === "accepted").length, running: all.filter((s) => s === "running").length, stored: all.length };
  }

  /**
   * Validates and starts a job owned by `owner` (a tenant; undefined when auth is off); the same
   * idempotency key and fingerprint of the same owner replay the first job.
   */
  submit(
    request: JobRequest,
    idempotency?: { key: string; fingerprint: string },
    takeOutcome?: () => MockJobOutcome | undefined,
    owner?: string,
  ): { job: Job; replayed: boolean } {
    // Keys are per tenant: the same key under two tokens names two jobs.
    const keyOf = (key: string): string => `${owner ?? ""}\u0000${key}`;
    if (idempotency) {
      const seen = this.#keys.get(keyOf(idempotency.key));
      const earlier = seen && this.#jobs.get(seen.jobId);
      if (seen && earlier) {
        if (seen.fingerprint !== idempotency.fingerprint) {
          throw new MockProblemError("idempotency_key_conflict", `Idempotency-Key '${idempotency.key}' was first used with a different body.`);
        }
        return { job: earlier.view, replayed: true };
      }
    }
    this.#checkFunctions(request);
    const source = this.#source(request);
    const total = sourceSize(source);
    const options = {
      chunkSize: request.options?.chunkSize ?? defaultChunkSize(total, this.#opts.workers, this.#opts.registry.get(request.function)?.inline === true),
      concurrency: request.options?.concurrency ?? this.#opts.workers,
      timeoutMs: request.options?.timeoutMs ?? this.#opts.defaultTimeoutMs,
    };
    // Taken only now: a replay or a refused request must not use up a `mock.job` override.
    const outcome = takeOutcome?.();
    if (outcome?.status === "successful" && outcome.result && outcome.result.kind !== request.kind) {
      throw new MockContractError(`mock.job: a ${request.kind} job cannot have a ${outcome.result.kind} result`);
    }
    const id = `job_${this.#random.hex(32)}`;
    const base = `/v1/jobs/${id}`;
    let resolveDone!: () => void;
    const record: MockJobRecord = {
      seq: ++this.#seq,
      owner,
      view: {
        id,
        kind: request.kind,
        function: request.function,
        ...(request.kind === "mapreduce" ? { reducer: request.reducer } : {}),
        status: "accepted",
        progress: { completedChunks: 0, totalChunks: Math.ceil(total / options.chunkSize), completedItems: 0, totalItems: total },
        options,
        createdAt: this.#iso(),
        links: { self: base, result: `${base}/result`, events: `${base}/events` },
      },
      source,
      log: new EventLog(),
      abort: new AbortController(),
      done: new Promise<void>((resolve) => (resolveDone = resolve)),
      resolveDone: () => resolveDone(),
      ...(outcome ? { outcome } : {}),
    };
    if (idempotency) this.#keys.set(keyOf(idempotency.key), { fingerprint: idempotency.fingerprint, jobId: id });
    this.#jobs.set(id, record);
    record.log.append("status", JSON.stringify(record.view));
    if (outcome?.status !== "accepted") this.#later(this.#opts.delayMs, () => void this.#run(record));
    return { job: record.view, replayed: false };
  }

  // Every lookup by id takes the caller's tenant: another tenant's job is `job_not_found`.
  get(id: string, owner?: string): Job {
    return this.#record(id, owner).view;
  }

  /** The job with `result` once successful (what `Prefer: wait` answers). */
  getWithResult(id: string, owner?: string): Job {
    const record = this.#record(id, owner);
    return record.result ? { ...record.view, result: record.result } : record.view;
  }

  events(id: string, owner?: string): EventLog {
    return this.#record(id, owner).log;
  }

  result(id: string, owner?: string): JobResult {
    const record = this.#record(id, owner);
    if (record.result) return record.result;
    const { status, error } = record.view;
    if (status === "failed") throw new MockProblemError("job_failed", `Job '${id}' failed: ${error?.detail ?? error?.title ?? "unknown error"}`, { jobId: id });
    if (status === "dismissed") throw new MockProblemError("job_dismissed", `Job '${id}' was dismissed.`, { jobId: id });
    throw new MockProblemError("result_not_ready", `Job '${id}' is ${status}.`, { jobId: id, retryAfterSeconds: 1 });
  }

  /** Resolves when the job is terminal or `timeoutMs` passed. */
  async wait(id: string, timeoutMs: number, owner?: string): Promise<Job> {
    const record = this.#record(id, owner);
    if (!isTerminalStatus(record.view.status) && timeoutMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([record.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    return record.view;
  }

  cancel(id: string, owner?: string): Job {
    const record = this.#record(id, owner);
    const { status } = record.view;
    if (status === "successful" || status === "failed") {
      throw new MockProblemError("job_already_finished", `Job '${id}' already finished (${status}).`, { jobId: id });
    }
    if (status !== "dismissed") this.#finish(record, "dismissed", { error: mockProblem("job_cancelled", "Cancelled by a client.", { jobId: id }) });
    return record.view;
  }

  /** The owner's jobs, newest first, optionally by status; the cursor encodes the last seen job's sequence number. */
  list(query: JobQuery, owner?: string): { jobs: Job[]; nextCursor: string | null } {
    const page = pageNewestFirst([...this.#jobs.values()].filter((r) => r.owner === owner), query);
    if (!page) {
      throw new MockProblemError("validation_failed", "The cursor is not one this server issued.", {
        errors: [{ path: "query:/cursor", message: "must be a nextCursor from a previous page" }],
      });
    }
    return page;
  }

  /** Forgets every job and key and stops every timer (between tests); `random` restarts the ids. */
  reset(random?: SeededRandom): void {
    if (random) this.#random = random;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const record of this.#jobs.values()) {
      record.abort.abort();
      record.log.close();
      record.resolveDone();
    }
    this.#jobs.clear();
    this.#keys.clear();
    this.#seq = 0;
  }

  #iso(): string {
    return new Date(this.#opts.now()).toISOString();
  }

  #later(ms: number, fn: () => void): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      this.#later(ms, resolve);
    });
  }

  #record(id: string, owner?: string): MockJobRecord {
    const record = this.#jobs.get(id);
    if (!record || record.owner !== owner) throw new MockProblemError("job_not_found", `No job '${id}'.`);
    return record;
  }

  #checkFunctions(request: JobRequest): void {
    const want = { map: "unary", filter: "unary", fold: "reducer", mapreduce: "emitter" } as const;
    const check = (name: string, kind: string, field: string): void => {
      const def = this.#opts.registry.get(name);
      if (!def) throw new MockProblemError("function_not_found", `No function '${name}'.`);
      if (def.kind !== kind) {
        throw new MockProblemError("function_kind_mismatch", `'${name}' is a ${def.kind} function; a ${request.kind} job needs a ${kind} ${field}.`, {
          errors: [{ path: `/${field}`, message: `must name a ${kind} function` }],
        });
      }
    };
    check(request.function, want[request.kind], "function");
    if (request.kind === "mapreduce") check(request.reducer, "reducer", "reducer");
  }

  #source(request: JobRequest): JobSource {
    const { input } = request;
    const { maxItems, maxRangeItems } = this.#opts.limits;
    if ("items" in input) {
      if (input.items.length > maxItems) throw new MockProblemError("too_many_items", `${input.items.length} items is more than the limit of ${maxItems}.`);
      return { items: input.items };
    }
    const { start, end } = input.range;
    const step = input.range.step ?? 1;
    const unsafe = (["start", "end", "step"] as const).filter((k) => !Number.isSafeInteger({ start, end, step }[k]));
    if (unsafe.length > 0) {
      throw new MockProblemError("validation_failed", "Range bounds must be safe integers.", {
        errors: unsafe.map((k) => ({ path: `/input/range/${k}`, message: "must be between -(2^53-1) and 2^53-1" })),
      });
    }
    const count = rangeCount(start, end, step);
    if (count > maxRangeItems) throw new MockProblemError("too_many_items", `The range has ${count} values, more than the limit of ${maxRangeItems}.`);
    // Range values are not validated one by one, so both ends are checked here.
    const def = this.#opts.registry.get(request.function);
    const ends = [["start", start], ["end", start + (count - 1) * step]] as const;
    const bad = count > 0 && def ? ends.filter(([, v]) => !def.input.safeParse(v).success) : [];
    if (bad.length > 0) {
      throw new MockProblemError("validation_failed", `'${request.function}' does not accept every value of this range.`, {
        errors: bad.map(([k, v]) => ({ path: `/input/range/${k}`, message: `value ${v} is not a valid input of ${request.function}` })),
      });
    }
    return { range: { start, step, count } };
  }

  async #run(record: MockJobRecord): Promise<void> {
    const { view } = record;
    if (isTerminalStatus(view.status)) return;
    view.status = "running";
    view.startedAt = this.#iso();
    record.log.append("status", JSON.stringify(record.view));
    if (record.outcome?.status === "running") return;
    record.timeout = this.#later(view.options.timeoutMs, () =>
      this.#finish(record, "failed", { error: mockProblem("job_timeout", `The job did not finish within ${view.options.timeoutMs} ms.`, { jobId: view.id }) }),
    );
    const { chunkSize, concurrency } = view.options;
    const { totalChunks } = view.progress;
    const { signal } = record.abort;
    const forced = record.outcome;
    // A forced failure or dismissal happens when the last chunk would have finished.
    const chunksToRun = forced && forced.status !== "successful" ? Math.max(totalChunks - 1, 0) : totalChunks;
    const computing = !forced || (forced.status === "successful" && !forced.result);
    const reducer = this.#reducer(view);
    const result = new ResultAccumulator(view.kind, reducer, totalChunks);
    let next = 0;

    const accept = (index: number, outcome: Extract<ChunkOutcome, { ok: true }> | undefined, items: number): void => {
      if (outcome) result.add(index, outcome);
      view.progress.completedChunks += 1;
      view.progress.completedItems += items;
      record.log.append("progress", JSON.stringify({ jobId: view.id, progress: view.progress }));
    };

    const runOne = async (index: number): Promise<void> => {
      await this.#pause(this.#opts.delayMs, signal);
      if (signal.aborted) return;
      const { offset, source } = chunkSource(record.source, index, chunkSize);
      const items = sourceSize(source);
      if (!computing) return accept(index, undefined, items);
      const task = { kind: view.kind, fn: view.function, ...(view.reducer ? { reducer: view.reducer } : {}), offset, source };
      let outcome: ChunkOutcome;
      try {
        outcome = await runChunk(this.#opts.registry, task, signal);
      } catch (error) {
        if (signal.aborted) return;
        const reason = error instanceof Error ? error.message : String(error);
        return this.#finish(record, "failed", { error: mockProblem("worker_crashed", `Chunk ${index} failed: ${reason}`, { jobId: view.id }) });
      }
      if (signal.aborted) return;
      if (!outcome.ok) return this.#finish(record, "failed", { error: mockProblem("item_failed", outcome.message, { itemIndex: outcome.itemIndex, jobId: view.id }) });
      accept(index, outcome, items);
    };

    const lane = async (): Promise<void> => {
      while (next < chunksToRun && !signal.aborted) await runOne(next++);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(chunksToRun, 1)) }, lane));
    if (signal.aborted || isTerminalStatus(view.status)) return;
    if (forced?.status === "failed") {
      const error = forced.error ?? mockProblem("item_failed", "Mocked failure.", { itemIndex: 0 });
      return this.#finish(record, "failed", { error: { ...error, jobId: error.jobId ?? view.id } });
    }
    if (forced?.status === "dismissed") {
      return this.#finish(record, "dismissed", { error: mockProblem("job_cancelled", "Cancelled by a client.", { jobId: view.id }) });
    }
    const final = forced?.status === "successful" && forced.result ? forced.result : (JSON.parse(result.toJson()) as JobResult);
    this.#finish(record, "successful", { result: final });
  }

  #reducer(view: Job): ReducerFunction | undefined {
    const name = view.kind === "fold" ? view.function : view.kind === "mapreduce" ? view.reducer : undefined;
    const def = name === undefined ? undefined : this.#opts.registry.get(name);
    return def?.kind === "reducer" ? def : undefined;
  }

  #finish(record: MockJobRecord, status: "successful" | "failed" | "dismissed", outcome: { result?: JobResult; error?: Problem }): void {
    const { view } = record;
    if (isTerminalStatus(view.status)) return;
    view.status = status;
    view.finishedAt = this.#iso();
    if (!view.startedAt && status !== "dismissed") view.startedAt = view.finishedAt;
    if (outcome.error) view.error = outcome.error;
    if (outcome.result) record.result = outcome.result;
    record.source = { items: [] };
    if (record.timeout !== undefined) {
      clearTimeout(record.timeout);
      this.#timers.delete(record.timeout);
    }
    record.abort.abort();
    if (outcome.result) record.log.append("result", JSON.stringify(outcome.result));
    if (outcome.error) record.log.append("error", JSON.stringify(outcome.error));
    record.log.append("status", JSON.stringify(record.view));
    record.log.close();
    record.resolveDone();
  }
}
