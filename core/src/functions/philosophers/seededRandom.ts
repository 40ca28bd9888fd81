/**
 * A small deterministic PRNG (mulberry32): the same seed gives the same sequence in [0, 1) on
 * every platform, so a seed picks an interleaving without any global state.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636, always
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
