/** Seed and size of a fuzz run: fixed by default so `npm test` is repeatable, overridable to explore. */
export interface FuzzConfig {
  seed: number;
  /** Generated (random) cases; a few fixed limit cases are sent on top. */
  runs: number;
}

/**
 * Reads `FUZZ_SEED` and `FUZZ_RUNS`; a bad value throws rather than silently running the default.
 *
 * @example
 * // FUZZ_SEED=7 FUZZ_RUNS=3000 npx vitest run test/fuzz
 * fuzzConfig(); // { seed: 7, runs: 3000 }
 */
export function fuzzConfig(env: NodeJS.ProcessEnv = process.env): FuzzConfig {
  const read = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got '${raw}'`);
    return value;
  };
  const runs = read("FUZZ_RUNS", 1_100);
  if (runs < 1) throw new Error(`FUZZ_RUNS must be at least 1, got ${runs}`);
  return { seed: read("FUZZ_SEED", 20_260_101), runs };
}
