import type { ChunkSource } from "./Executor.js";

/** A job's input after submission: a list, or a range the workers expand. */
export type JobSource = { items: unknown[] } | { range: { start: number; step: number; count: number } };

/** Number of values in `start, start+step, …` before `end` (exclusive). */
export function rangeCount(start: number, end: number, step: number): number {
  if (step === 0) return 0;
  const span = step > 0 ? end - start : start - end;
  return span <= 0 ? 0 : Math.ceil(span / Math.abs(step));
}

/** Number of items of a source. */
export function sourceSize(source: JobSource): number {
  return "items" in source ? source.items.length : source.range.count;
}

/**
 * Work a chunk sent to a worker should hold, in ms of the function's measured time: a worker
 * round trip costs ~0.1 ms of the main thread and the worker, so a chunk shorter than this would
 * mostly pay for its own trip.
 */
export const MIN_POOL_CHUNK_MS = 2;

/**
 * The default chunk size: about four chunks per worker so progress moves and a slow chunk
 * does not idle the rest of the pool, capped so one chunk's result stays small. Cheap (`inline`)
 * functions get at least 1,024 items a chunk: below that, handing a chunk to a worker costs
 * more than computing it. Other functions, once the engine has measured their time per item
 * (`itemMs`, from earlier chunks), get at least {@link MIN_POOL_CHUNK_MS} of work a chunk: a
 * small job of a fast function goes to a worker as one chunk instead of eight round trips, while
 * a slow function still spreads over every worker.
 *
 * @example
 * defaultChunkSize(100, 2);             // 13 (8 chunks: nothing measured yet)
 * defaultChunkSize(100, 2, false, 0.01); // 100 (one chunk: 1 ms of work in all)
 */
export function defaultChunkSize(total: number, parallelism: number, cheap = false, itemMs?: number): number {
  const spread = Math.ceil(total / (parallelism * 4));
  const measured = !cheap && itemMs !== undefined && itemMs > 0 ? Math.min(total, Math.ceil(MIN_POOL_CHUNK_MS / itemMs)) : 1;
  return Math.min(100_000, Math.max(cheap ? Math.min(1_024, total) : measured, spread, 1));
}

/** Listed chunks of at least this many items are cut as a Float64Array when every item is a number. */
export const PACKED_CHUNK_ITEMS = 4_096;

/**
 * The items of chunk `index` (of size `chunkSize`) as a message-sized source; with `pack`, a big
 * chunk of numbers comes as a Float64Array (see {@link packNumbers}).
 */
export function chunkSource(source: JobSource, index: number, chunkSize: number, pack = false): { offset: number; source: ChunkSource } {
  const offset = index * chunkSize;
  const end = Math.min(offset + chunkSize, sourceSize(source));
  if ("items" in source) return { offset, source: { items: pack ? cutItems(source.items, offset, end) : source.items.slice(offset, end) } };
  const { start, step } = source.range;
  return { offset, source: { range: { start: start + offset * step, step, count: end - offset } } };
}

/**
 * A chunk's listed items: a Float64Array when the chunk is big and all numbers (see
 * {@link packNumbers}); else a slice of the list.
 */
function cutItems(items: unknown[], from: number, to: number): unknown[] | Float64Array {
  return (to - from >= PACKED_CHUNK_ITEMS ? packNumbers(items, from, to) : undefined) ?? items.slice(from, to);
}

/**
 * Items `from`..`to` of a list as a Float64Array, or undefined when one is not a number. JSON
 * numbers are doubles: nothing changes for the function, and a local pool moves the array to its
 * worker instead of cloning a million numbers one by one (≈ 25 ms on each side).
 *
 * @example
 * packNumbers([1, 2.5, 3], 0, 3); // Float64Array [1, 2.5, 3]
 * packNumbers([1, "2"], 0, 2);    // undefined
 */
export function packNumbers(items: readonly unknown[], from: number, to: number): Float64Array | undefined {
  const numbers = new Float64Array(to - from);
  for (let i = from; i < to; i++) {
    const item = items[i];
    if (typeof item !== "number") return undefined;
    numbers[i - from] = item;
  }
  return numbers;
}
