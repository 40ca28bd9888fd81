/** A deterministic stream of numbers: the same key always gives the same sequence. */
export interface MockRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
}

/**
 * A PRNG (splitmix32) keyed by any strings: `mswRandom(seed, "findPets", "200")` is the stream
 * of one answer, so an operation answers the same data whatever else a test called before.
 *
 * @example
 * mswRandom(1, "findPets").int(1, 6) === mswRandom(1, "findPets").int(1, 6); // true
 */
export function mswRandom(seed: number | string, ...keys: string[]): MockRandom {
  // FNV-1a over the seed and keys, separated so ("ab", "c") and ("a", "bc") differ.
  let state = 0x811c9dc5;
  for (const ch of [String(seed), ...keys].join("\u0000")) {
    state ^= ch.charCodeAt(0);
    state = Math.imul(state, 0x01000193);
  }
  const next = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T,
  };
}
