/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep input order.
 *
 * @example
 * await mapConcurrent([1, 2, 3], 2, async (x) => x * 2); // [2, 4, 6]
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
