import type { MockChunkSource } from "./runMockChunk.js";

/** Number of values in `start, start+step, …` before `end` (exclusive). */
export function rangeCount(start: number, end: number, step: number): number {
  if (step === 0) return 0;
  const span = step > 0 ? end - start : start - end;
  return span <= 0 ? 0 : Math.ceil(span / Math.abs(step));
}

/** Number of items of a source. */
export function sourceSize(source: MockChunkSource): number {
  return "items" in source ? source.items.length : source.range.count;
}

/**
 * The reference server's default chunk size: about four chunks per worker, at most 100,000
 * items; cheap (inline) functions get chunks of at least 1,024 items, where a chunk's overhead
 * would dwarf its work.
 */
export function defaultChunkSize(total: number, workers: number, cheap = false): number {
  const spread = Math.ceil(total / (workers * 4));
  return Math.min(100_000, Math.max(cheap ? Math.min(1_024, total) : 1, spread, 1));
}

/**
 * The items of chunk `index` (chunks of `chunkSize`).
 *
 * @example
 * chunkOf({ range: { start: 0, step: 1, count: 10 } }, 1, 4); // { offset: 4, source: { range: { start: 4, step: 1, count: 4 } } }
 */
export function chunkOf(source: MockChunkSource, index: number, chunkSize: number): { offset: number; source: MockChunkSource } {
  const offset = index * chunkSize;
  const end = Math.min(offset + chunkSize, sourceSize(source));
  if ("items" in source) return { offset, source: { items: source.items.slice(offset, end) } };
  const { start, step } = source.range;
  return { offset, source: { range: { start: start + offset * step, step, count: end - offset } } };
}
