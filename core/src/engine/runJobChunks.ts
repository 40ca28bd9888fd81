import type { FunctionRegistry } from "../functions/FunctionRegistry.js";
import type { ReducerFunction } from "../functions/defineFunction.js";
import { problem } from "../problem.js";
import type { Job, Problem } from "../protocol.js";
import { chunkSource, type JobSource } from "./chunking.js";
import { pause, type EngineClock } from "./EngineClock.js";
import { ExecutorBusyError, type ChunkOutcome, type Executor } from "./Executor.js";
import { CombineError, ResultAccumulator } from "./ResultAccumulator.js";
import type { JobStop } from "./JobStop.js";
import { runChunk } from "./runChunk.js";

/** Largest chunk of a cheap function run on the main thread instead of a worker. */
const IN_PROCESS_ITEMS = 1_024;

/**
 * Longest stretch of in-process chunks before yielding to the event loop: cheap chunks finish
 * synchronously, and without a yield health checks, other requests and the job's own timeout
 * would wait for the whole job.
 */
const SLICE_MS = 10;

/** Reason given to sibling chunks when one fails (shared: no stack trace per job). */
const SIBLING_FAILED = new Error("a sibling chunk failed");

/** What running one job's chunks needs. */
export interface JobChunksRun {
  job: Pick<Job, "id" | "kind" | "function" | "reducer" | "options" | "progress">;
  source: JobSource;
  /**
   * The job's stop: the caller aborts it on cancel and timeout, and a failing chunk aborts it to
   * stop its siblings. Running chunks are then aborted, their workers freed.
   */
  stop: JobStop;
  executor: Executor;
  registry: FunctionRegistry;
  /** Re-runs of a chunk whose worker died before the job fails with `worker_crashed`. */
  maxChunkRetries: number;
  /** Largest result, in characters of JSON; past it the job fails with `result_too_large`. */
  maxResultChars: number;
  /** Timers and the event-loop yield. */
  clock: EngineClock;
  /** Waited before each chunk (the mocks' pacing, so progress can be watched). Default 0. */
  chunkDelayMs?: number;
  /**
   * Chunks to run (default all). With `compute: false` they only count as progress: the msw mocks'
   * forced outcomes (`mock.job`) pace a job through its chunks without running its function.
   */
  chunks?: number;
  compute?: boolean;
  /** After each successful chunk, with its number of items. */
  onChunkDone(items: number): void;
  /** Observers (metrics): a computed chunk with its duration; a chunk whose worker died (`rerun`: it runs again). */
  onChunk?(event: { chunk: number; items: number; durationMs: number; inProcess: boolean }): void;
  onRetry?(event: { chunk: number; attempt: number; rerun: boolean; reason: string }): void;
  /** After each chunk computed by the executor: the function's time per item (its compute time when the executor reports one, else the round trip). */
  onItemCost?(itemMs: number): void;
  /**
   * For functions marked `inline: "auto"`: true when a chunk of `items` may run on this thread
   * (its measured cost is tiny; see FunctionCosts). Default: never.
   */
  inlineChunk?(items: number): boolean;
  /** After such a chunk ran on this thread, with its duration. */
  onInlineRan?(items: number, ms: number): void;
}

/**
 * The job's result as JSON text in pieces (see {@link ResultAccumulator.toPieces}) with their
 * total length, its error, or `undefined` when `signal` stopped it.
 */
export type JobChunksOutcome = { resultPieces: string[]; resultChars: number } | { error: Problem } | undefined;

/**
 * Runs a job's chunks with at most `options.concurrency` in flight, combines their results, and
 * stops at the first failing item (aborting the siblings). A chunk whose worker dies is re-run;
 * when the executor is momentarily full the chunk waits and retries.
 *
 * @example
 * const outcome = await runJobChunks({ job, source, stop: new JobStop(), executor, registry, clock: systemClock,
 *   maxChunkRetries: 3, maxResultChars: 1 << 28, onChunkDone: (items) => console.log(`+${items}`) });
 */
export async function runJobChunks(run: JobChunksRun): Promise<JobChunksOutcome> {
  const { job, registry } = run;
  const { chunkSize, concurrency } = job.options;
  const totalChunks = job.progress.totalChunks;
  const chunksToRun = Math.min(run.chunks ?? totalChunks, totalChunks);
  const compute = run.compute ?? true;
  const reducerName = job.kind === "fold" ? job.function : job.kind === "mapreduce" ? job.reducer : undefined;
  const reducerDef = reducerName === undefined ? undefined : registry.get(reducerName);
  const reducer = reducerDef?.kind === "reducer" ? (reducerDef as ReducerFunction) : undefined;
  const result = new ResultAccumulator(job.kind, reducer, totalChunks);
  // Functions declared cheap (`inline`) run small chunks on this thread: handing them to a
  // worker costs more than computing them.
  const cheap = registry.get(job.function)?.inline === true && (reducer === undefined || reducer.inline === true);
  const { stop } = run;
  // Chunks computed here get the signal only if their function reads it (see JobStop).
  const signal = (): AbortSignal => stop.signal;
  let failure: Problem | undefined;
  const fail = (error: Problem): void => {
    failure ??= error;
    stop.abort(SIBLING_FAILED);
  };
  let next = 0;
  let sliceStart = performance.now();
  const tooLarge = (): Problem =>
    problem("result_too_large", `The result is larger than the server's limit of ${run.maxResultChars} characters of JSON; use a smaller input.`, { jobId: job.id });

  const runOne = async (index: number): Promise<void> => {
    const { offset, source } = chunkSource(run.source, index, chunkSize, run.executor.packsNumbers === true);
    const task = { kind: job.kind, fn: job.function, ...(job.reducer ? { reducer: job.reducer } : {}), offset, source };
    const items = "items" in source ? source.items.length : source.range.count;
    const inProcess = cheap ? items <= IN_PROCESS_ITEMS : run.inlineChunk?.(items) === true;
    if (run.chunkDelayMs) await pause(run.clock, run.chunkDelayMs, stop.signal);
    if (!compute) {
      if (!stop.aborted) run.onChunkDone(items);
      return;
    }
    for (let attempt = 0; !stop.aborted; ) {
      let outcome: ChunkOutcome;
      if (inProcess && performance.now() - sliceStart > SLICE_MS) {
        await run.clock.yield();
        sliceStart = performance.now();
        if (stop.aborted) return;
      }
      const started = performance.now();
      try {
        outcome = inProcess ? await runChunk(registry, task, signal) : await run.executor.runChunk(task, stop.signal);
      } catch (error) {
        if (stop.aborted) return;
        if (error instanceof ExecutorBusyError) {
          await pause(run.clock, 20, stop.signal);
          continue;
        }
        const reason = error instanceof Error ? error.message : String(error);
        run.onRetry?.({ chunk: index, attempt: attempt + 1, rerun: attempt + 1 <= run.maxChunkRetries, reason });
        if (++attempt > run.maxChunkRetries) {
          return fail(problem("worker_crashed", `Chunk ${index} failed ${attempt} times: ${reason}`, { jobId: job.id }));
        }
        continue;
      }
      const durationMs = performance.now() - started;
      // A chunk run here instead of on a worker is timed whatever its outcome: too long a run sends the function back to the workers.
      if (inProcess && !cheap) run.onInlineRan?.(items, durationMs);
      if (stop.aborted) return;
      if (!outcome.ok) return fail(problem("item_failed", outcome.message, { itemIndex: outcome.itemIndex, jobId: job.id }));
      try {
        result.add(index, outcome);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return fail(problem(error instanceof CombineError ? "item_failed" : "internal_error", message, { jobId: job.id }));
      }
      if (result.chars > run.maxResultChars) return fail(tooLarge());
      if (!inProcess && items > 0) run.onItemCost?.((outcome.computeMs ?? durationMs) / items);
      run.onChunk?.({ chunk: index, items, durationMs, inProcess });
      run.onChunkDone(items);
      return;
    }
  };

  const lane = async (): Promise<void> => {
    while (next < chunksToRun && !stop.aborted) await runOne(next++);
  };
  // Ends at the first failure, cancel or timeout without waiting for sibling chunks to settle: an
  // executor slow to honour the abort (a busy or remote worker) must not keep a failed job running,
  // nor let it end as job_timeout instead of its first failing item. Chunks settling later are
  // ignored (each lane checks `stop.aborted` after every await).
  const laneCount = Math.min(concurrency, Math.max(chunksToRun, 1));
  if (laneCount === 1) {
    // One lane has no sibling to wait for: its failing chunk ends it at once, and a cancel or
    // timeout (the engine has already ended the job) stops it as soon as its executor honours the
    // abort, which the pool and the Redis queue do at once.
    await lane();
  } else {
    let onStop!: () => void;
    const stopped = new Promise<void>((resolve) => (onStop = resolve));
    const forgetStop = stop.onAbort(onStop);
    const lanes = Promise.all(Array.from({ length: laneCount }, lane));
    lanes.catch(() => undefined); // after a stop nobody awaits the lanes any more
    try {
      await Promise.race([lanes, stopped]);
    } finally {
      // The stop outlives this run (it is the job's): its callback must not keep the run's closures.
      forgetStop();
    }
  }
  if (failure) return { error: failure };
  if (stop.aborted) return undefined;
  let resultPieces: string[];
  try {
    resultPieces = result.toPieces();
  } catch (error) {
    // V8 strings stop at ~512 Mi characters: a fold or mapreduce result past that cannot be built at all.
    if (error instanceof RangeError) return { error: tooLarge() };
    throw error;
  }
  let resultChars = 0;
  for (const piece of resultPieces) resultChars += piece.length;
  return resultChars > run.maxResultChars ? { error: tooLarge() } : { resultPieces, resultChars };
}
