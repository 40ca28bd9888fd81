import type { JobKind } from "../protocol.js";

/**
 * Where a chunk's items come from: a slice sent along (a Float64Array when it is big and all
 * numbers, see `chunkSource`), or a range the worker expands.
 */
export type ChunkSource =
  | { items: unknown[] | Float64Array }
  | { range: { start: number; step: number; count: number } };

/** One unit of parallel work: a contiguous slice of a job's input. */
export interface ChunkTask {
  kind: JobKind;
  fn: string;
  reducer?: string;
  /** Index of the chunk's first item in the job's input (for `itemIndex`). */
  offset: number;
  source: ChunkSource;
}

/**
 * Time the function took on the worker (ms), without the trip there and back: set by executors
 * that can measure it; the engine sizes later chunks of the same function by it.
 */
export interface ComputeTime {
  computeMs?: number;
}

/** A chunk's partial result, or the first item that failed. */
export type ChunkOutcome =
  /**
   * Map and filter outputs leave the worker as JSON (`items` is the array's text without its
   * brackets): serializing in parallel on the workers keeps the main thread and its heap light.
   */
  | ({ ok: true; kind: "map" | "filter"; items: string; count: number } & ComputeTime)
  | ({ ok: true; kind: "fold"; value: unknown } & ComputeTime)
  | ({ ok: true; kind: "mapreduce"; entries: Array<[string | number, unknown]> } & ComputeTime)
  | { ok: false; itemIndex: number; message: string };

/** The result of one synchronous call. */
export type CallOutcome = ({ ok: true; output: unknown } & ComputeTime) | { ok: false; message: string };

/**
 * Runs chunks and calls somewhere: a local worker pool, or machines behind a queue.
 * A rejected promise means the infrastructure failed (worker died, aborted), never the function:
 * function errors come back as `ok: false` outcomes.
 */
export interface Executor {
  /** How many chunks can run at once (the basis of default chunk sizes). */
  readonly parallelism: number;
  /**
   * A job's default concurrency (chunks in flight at once) when it is not `parallelism`: an
   * executor behind a queue keeps more in flight, so every worker finds its next chunk waiting
   * when it finishes one instead of idling for a round trip through the queue.
   */
  readonly defaultConcurrency?: number;
  /**
   * True when big chunks of listed numbers may come as a Float64Array (see `chunkSource`): an
   * executor that moves them to worker threads. One that sends chunks as JSON leaves it unset and
   * gets lists, never packed to be unpacked again.
   */
  readonly packsNumbers?: boolean;
  runChunk(task: ChunkTask, signal: AbortSignal): Promise<ChunkOutcome>;
  /** Runs a function once on an input already validated against its schema. */
  call(fn: string, input: unknown, signal: AbortSignal): Promise<CallOutcome>;
  close(): Promise<void>;
}

/** Thrown by executors when their queue is full; the HTTP layer answers 503. */
export class ExecutorBusyError extends Error {
  constructor(message = "executor queue is full") {
    super(message);
    this.name = "ExecutorBusyError";
  }
}
