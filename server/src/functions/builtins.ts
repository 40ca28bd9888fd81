import { createHash } from "node:crypto";
import { z } from "zod";
import { conformanceFunctions, words } from "@polybridge/core/functions";
import { defineReducer, defineUnary, type FunctionDefinition } from "@polybridge/core/functions";

// Real work.

/** Deterministic trial division by 6k±1: CPU-bound on purpose, no tables. */
export function primeTest(n: number): boolean {
  if (n < 2) return false;
  if (n < 4) return true;
  if (n % 2 === 0 || n % 3 === 0) return false;
  for (let d = 5; d * d <= n; d += 6) {
    if (n % d === 0 || n % (d + 2) === 0) return false;
  }
  return true;
}

// isPrime and countPrimes opt in to running measured-tiny work on the request thread: their slowest
// input (a prime near 2^53, trial division up to its root) is tens of milliseconds, never a hang.
export const isPrime = defineUnary({
  name: "isPrime",
  inline: "auto",
  description: "True when the integer is prime (trial division).",
  input: z.int(),
  output: z.boolean(),
  run: primeTest,
});

export const countPrimes = defineReducer({
  name: "countPrimes",
  inline: "auto",
  description: "Counts the primes among the items (fold it over a range).",
  input: z.int(),
  output: z.int().min(0),
  identity: 0,
  step: (acc, n) => (primeTest(n) ? acc + 1 : acc),
  combine: (a, b) => a + b,
});

export const sha256 = defineUnary({
  name: "sha256",
  description: "Hex SHA-256 of data, re-hashed `iterations` times (1..100000).",
  input: z.object({ data: z.string(), iterations: z.int().min(1).max(100_000).default(1) }),
  output: z.string().regex(/^[0-9a-f]{64}$/),
  run: ({ data, iterations }) => {
    let digest = createHash("sha256").update(data).digest("hex");
    for (let i = 1; i < iterations; i++) digest = createHash("sha256").update(digest).digest("hex");
    return digest;
  },
});

const Frequencies = z.record(z.string(), z.int().min(0));

/**
 * A copy of word counts without a prototype: words such as "constructor" or "__proto__" are then
 * plain keys, not Object.prototype's members.
 */
function counts(from: Record<string, number>): Record<string, number> {
  return Object.assign(Object.create(null) as Record<string, number>, from);
}

export const wordFrequency = defineReducer({
  name: "wordFrequency",
  description: "Folds texts into { word: count } (identity {}).",
  input: z.string(),
  output: Frequencies,
  identity: {},
  step: (acc, text) => {
    const out = counts(acc);
    for (const w of words(text)) out[w] = (out[w] ?? 0) + 1;
    return out;
  },
  combine: (a, b) => {
    const out = counts(a);
    for (const [w, n] of Object.entries(b)) out[w] = (out[w] ?? 0) + n;
    return out;
  },
});

/** Every built-in function: the conformance set plus real work. */
const builtins: FunctionDefinition[] = [
  ...conformanceFunctions, isPrime, countPrimes, sha256, wordFrequency,
] as FunctionDefinition[];

export default builtins;
