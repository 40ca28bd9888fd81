// The local pool moves big chunks of listed numbers to its workers as a Float64Array instead of
// cloning them item by item: the functions must see exactly what they would have seen.
import { builtinsModule, LocalExecutor, type ChunkOutcome } from "@polybridge/server";
import { afterAll, expect, it } from "vitest";

const pool = new LocalExecutor({ modules: [builtinsModule], workers: 1 });
afterAll(() => pool.close());

const never = new AbortController().signal;
const run = (kind: "map" | "filter" | "fold", fn: string, items: unknown[], offset = 0): Promise<ChunkOutcome> => pool.runChunk({ kind, fn, offset, source: { items } }, never);

it("maps, filters and folds a packed chunk of numbers exactly as listed", async () => {
  const items = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? i / 8 : -i)); // integers, halves, negatives
  expect(await run("map", "square", items)).toMatchObject({ ok: true, items: JSON.stringify(items.map((x) => x * x)).slice(1, -1), count: 10_000 });
  const ints = Array.from({ length: 5_000 }, (_, i) => i);
  expect(await run("filter", "isEven", ints)).toMatchObject({ ok: true, items: JSON.stringify(ints.filter((x) => x % 2 === 0)).slice(1, -1) });
  expect(await run("fold", "sum", items)).toMatchObject({ ok: true, value: items.reduce((a, b) => a + b, 0) });
  // The caller's list is not taken from it (only the packed copy moves).
  expect(items).toHaveLength(10_000);
});

it("sends a packed chunk again as it was (a retry after a worker died): what moves to the worker is a copy", async () => {
  const items = new Float64Array(Array.from({ length: 5_000 }, (_, i) => i));
  const task = { kind: "fold" as const, fn: "sum", offset: 0, source: { items } };
  const first = await pool.runChunk(task, never);
  expect(await pool.runChunk(task, never)).toMatchObject({ ok: true, value: (first as { value: number }).value });
  expect(items).toHaveLength(5_000);
  expect(first).toMatchObject({ ok: true, value: (4_999 * 5_000) / 2 });
});

it("leaves a chunk with anything but numbers as it is: the failing item is still named", async () => {
  const items: unknown[] = Array.from({ length: 6_000 }, (_, i) => i);
  items[4_321] = "4321";
  expect(await run("map", "square", items, 20_000)).toMatchObject({ ok: false, itemIndex: 24_321, message: expect.stringMatching(/^invalid input: /) });
  expect(await run("map", "isPrime", [...Array.from({ length: 5_000 }, (_, i) => i), 2.5])).toMatchObject({ ok: false, itemIndex: 5_000 });
});
