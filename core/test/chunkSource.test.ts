import { chunkSource, packNumbers, PACKED_CHUNK_ITEMS } from "@polybridge/core/engine";
import { expect, it } from "vitest";

it("cuts big chunks of numbers as a Float64Array, everything else as a slice of the list", () => {
  const numbers = Array.from({ length: 3 * PACKED_CHUNK_ITEMS }, (_, i) => i / 2);
  const big = chunkSource({ items: numbers }, 1, PACKED_CHUNK_ITEMS, true);
  // Unasked (an executor that sends JSON), the same chunk stays a list.
  expect(chunkSource({ items: numbers }, 1, PACKED_CHUNK_ITEMS).source).toEqual({ items: numbers.slice(PACKED_CHUNK_ITEMS, 2 * PACKED_CHUNK_ITEMS) });
  expect(big.offset).toBe(PACKED_CHUNK_ITEMS);
  expect(big.source).toEqual({ items: new Float64Array(numbers.slice(PACKED_CHUNK_ITEMS, 2 * PACKED_CHUNK_ITEMS)) });
  expect((big.source as { items: unknown }).items).toBeInstanceOf(Float64Array);
  // Small chunks, and chunks with anything but a number, stay lists.
  expect((chunkSource({ items: numbers }, 0, 100, true).source as { items: unknown }).items).toEqual(numbers.slice(0, 100));
  const mixed: unknown[] = [...numbers];
  mixed[PACKED_CHUNK_ITEMS + 7] = "7";
  const kept = (chunkSource({ items: mixed }, 1, PACKED_CHUNK_ITEMS, true).source as { items: unknown[] }).items;
  expect(Array.isArray(kept)).toBe(true);
  expect(kept[7]).toBe("7");
  expect(chunkSource({ range: { start: 5, step: 2, count: 10 } }, 1, 4)).toEqual({ offset: 4, source: { range: { start: 13, step: 2, count: 4 } } });
});

it("packs numbers as they are, or says it cannot", () => {
  expect(packNumbers([1, -0.5, 2 ** 53, 1e300], 1, 4)).toEqual(new Float64Array([-0.5, 2 ** 53, 1e300]));
  expect(packNumbers([1, null], 0, 2)).toBeUndefined();
});
