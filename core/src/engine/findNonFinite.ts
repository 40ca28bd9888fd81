/**
 * The first number in `value` that JSON cannot carry (NaN, ±Infinity), as text, or `undefined`.
 * `JSON.stringify` would silently write `null` for it; the protocol fails the item instead.
 * Null-prototype objects and arrays are walked; depth is bounded by the caller's data.
 *
 * @example
 * findNonFinite({ a: [1, 1e200 * 1e200] }); // "Infinity"
 * findNonFinite([1, 2]); // undefined
 */
export function findNonFinite(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : String(value);
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findNonFinite(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key in value) {
    const found = findNonFinite((value as Record<string, unknown>)[key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The message of an item or call whose result JSON cannot carry. */
export function nonFiniteMessage(name: string, found: string): string {
  return `${name} returned a non-finite number (${found}), which JSON cannot represent`;
}
