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
 * The default chunk size: about four chunks per worker so progress moves and a slow chunk
 * does not idle the rest of the pool, capped so one chunk's result stays small. Cheap (`inline`)
 * functions get at least 1,024 items a chunk: below that, handing a chunk to a worker costs
 * more than computing it.
 */
export function defaultChunkSize(total: number, parallelism: number, cheap = false): number {
  const spread = Math.ceil(total / (parallelism * 4));
  return Math.min(100_000, Math.max(cheap ? Math.min(1_024, total) : 1, spread, 1));
}

/** The items of chunk `index` (of size `chunkSize`) as a message-sized source. */
export function chunkSource(source: JobSource, index: number, chunkSize: number): { offset: number; source: ChunkSource } {
  const offset = index * chunkSize;
  const end = Math.min(offset + chunkSize, sourceSize(source));
  if ("items" in source) return { offset, source: { items: source.items.slice(offset, end) } };
  const { start, step } = source.range;
  return { offset, source: { range: { start: start + offset * step, step, count: end - offset } } };
}
