import type { Job, Problem } from "@polybridge/spec";
import type { ReducerFunction } from "@polybridge/core/functions";
import type { FunctionRegistry } from "@polybridge/core/functions";
import { problem } from "../ProblemError.js";
import { chunkSource, type JobSource } from "@polybridge/core/engine";
import { ExecutorBusyError, type ChunkOutcome, type Executor } from "@polybridge/core/engine";
import { CombineError, ResultAccumulator } from "@polybridge/core/engine";
import { runChunk } from "@polybridge/core/engine";

/** Largest chunk of a cheap function run on the main thread instead of a worker. */
const IN_PROCESS_ITEMS = 1_024;

/**
 * Longest stretch of in-process chunks before yielding to the event loop: cheap chunks finish
 * synchronously, and without a yield health checks, other requests and the job's own timeout
 * would wait for the whole job.
 */
const SLICE_MS = 10;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reason given to sibling chunks when one fails (shared: no stack trace per job). */
const SIBLING_FAILED = new Error("a sibling chunk failed");

/** What running one job's chunks needs. */
export interface JobChunksRun {
  job: Pick<Job, "id" | "kind" | "function" | "reducer" | "options" | "progress">;
  source: JobSource;
  /** Fires on cancel and timeout: running chunks are aborted, their workers freed. */
  signal: AbortSignal;
  executor: Executor;
  registry: FunctionRegistry;
  /** Re-runs of a chunk whose worker died before the job fails with `worker_crashed`. */
  maxChunkRetries: number;
  /** Largest result, in characters of JSON; past it the job fails with `result_too_large`. */
  maxResultChars: number;
  /** After each successful chunk, with its number of items. */
  onChunkDone(items: number): void;
}

/** The job's result as JSON, its error, or `undefined` when `signal` stopped it. */
export type JobChunksOutcome = { resultJson: string } | { error: Problem } | undefined;

/**
 * Runs a job's chunks with at most `options.concurrency` in flight, combines their results, and
 * stops at the first failing item (aborting the siblings). A chunk whose worker dies is re-run;
 * when the executor is momentarily full the chunk waits and retries.
 *
 * @example
 * const outcome = await runJobChunks({ job, source, signal, executor, registry, maxChunkRetries: 3,
 *   onChunkDone: (items) => console.log(`+${items}`) });
 */
export async function runJobChunks(run: JobChunksRun): Promise<JobChunksOutcome> {
  const { job, registry } = run;
  const { chunkSize, concurrency } = job.options;
  const totalChunks = job.progress.totalChunks;
  const reducerName = job.kind === "fold" ? job.function : job.kind === "mapreduce" ? job.reducer : undefined;
  const reducerDef = reducerName === undefined ? undefined : registry.get(reducerName);
  const reducer = reducerDef?.kind === "reducer" ? (reducerDef as ReducerFunction) : undefined;
  const result = new ResultAccumulator(job.kind, reducer, totalChunks);
  // Functions declared cheap (`inline`) run small chunks on this thread: handing them to a
  // worker costs more than computing them.
  const cheap = registry.get(job.function)?.inline === true && (reducer === undefined || reducer.inline === true);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(run.signal.reason);
  run.signal.addEventListener("abort", onAbort, { once: true });
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
    const { offset, source } = chunkSource(run.source, index, chunkSize);
    const task = { kind: job.kind, fn: job.function, ...(job.reducer ? { reducer: job.reducer } : {}), offset, source };
    const items = "items" in source ? source.items.length : source.range.count;
    const inProcess = cheap && items <= IN_PROCESS_ITEMS;
    for (let attempt = 0; !stop.signal.aborted; ) {
      let outcome: ChunkOutcome;
      if (inProcess && performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
        if (stop.signal.aborted) return;
      }
      try {
        outcome = inProcess ? await runChunk(registry, task, stop.signal) : await run.executor.runChunk(task, stop.signal);
      } catch (error) {
        if (stop.signal.aborted) return;
        if (error instanceof ExecutorBusyError) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        if (++attempt > run.maxChunkRetries) {
          const reason = error instanceof Error ? error.message : String(error);
          return fail(problem("worker_crashed", `Chunk ${index} failed ${attempt} times: ${reason}`, { jobId: job.id }));
        }
        continue;
      }
      if (stop.signal.aborted) return;
      if (!outcome.ok) return fail(problem("item_failed", outcome.message, { itemIndex: outcome.itemIndex, jobId: job.id }));
      try {
        result.add(index, outcome);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return fail(problem(error instanceof CombineError ? "item_failed" : "internal_error", message, { jobId: job.id }));
      }
      if (result.chars > run.maxResultChars) return fail(tooLarge());
      run.onChunkDone(items);
      return;
    }
  };

  const lane = async (): Promise<void> => {
    while (next < totalChunks && !stop.signal.aborted) await runOne(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(totalChunks, 1)) }, lane));
  } finally {
    run.signal.removeEventListener("abort", onAbort);
  }
  if (failure) return { error: failure };
  if (run.signal.aborted) return undefined;
  let resultJson: string;
  try {
    resultJson = result.toJson();
  } catch (error) {
    // V8 strings stop at ~512 Mi characters: a result past that cannot be built at all.
    if (error instanceof RangeError) return { error: tooLarge() };
    throw error;
  }
  return resultJson.length > run.maxResultChars ? { error: tooLarge() } : { resultJson };
}
