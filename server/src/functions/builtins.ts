import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { defineEmitter, defineReducer, defineUnary, type FunctionDefinition } from "./defineFunction.js";

// The conformance set (docs/PROTOCOL.md): every polybridge server serves these exactly.

export const echo = defineUnary({
  name: "echo",
  inline: true,
  description: "Returns its input unchanged.",
  input: z.unknown(),
  output: z.unknown(),
  run: (x) => x,
});

export const square = defineUnary({
  name: "square",
  inline: true,
  description: "Squares a number.",
  input: z.number(),
  output: z.number(),
  run: (x) => x * x,
});

export const isEven = defineUnary({
  name: "isEven",
  inline: true,
  description: "True when the integer is even.",
  input: z.int(),
  output: z.boolean(),
  run: (x) => x % 2 === 0,
});

export const sum = defineReducer({
  name: "sum",
  inline: true,
  description: "Adds numbers (identity 0).",
  input: z.number(),
  output: z.number(),
  identity: 0,
  combine: (a, b) => a + b,
});

const WORD_SEPARATORS = /[^\p{L}\p{N}]+/u;

/** Lower-cased words of a text, split on runs of non letters/digits. */
export function words(text: string): string[] {
  return text.toLowerCase().split(WORD_SEPARATORS).filter((w) => w.length > 0);
}

export const tokenize = defineEmitter({
  name: "tokenize",
  inline: true,
  description: "Emits [word, 1] for each lower-cased word, for word counts.",
  input: z.string(),
  value: z.number(),
  run: (text) => words(text).map((w): [string, number] => [w, 1]),
});

export const fail = defineUnary({
  name: "fail",
  inline: true,
  description: "Returns numbers >= 0 unchanged; throws 'fail: <input JSON>' for anything else.",
  input: z.unknown(),
  output: z.number(),
  run: (x) => {
    if (typeof x === "number" && x >= 0) return x;
    throw new Error(`fail: ${JSON.stringify(x)}`);
  },
});

export const sleep = defineUnary({
  name: "sleep",
  description: "Waits the given milliseconds (0..10000), then returns them.",
  input: z.int().min(0).max(10_000),
  output: z.int(),
  run: async (ms, { signal }) => {
    await delay(ms, undefined, { signal });
    return ms;
  },
});

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

export const isPrime = defineUnary({
  name: "isPrime",
  description: "True when the integer is prime (trial division).",
  input: z.int(),
  output: z.boolean(),
  run: primeTest,
});

export const countPrimes = defineReducer({
  name: "countPrimes",
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

export const wordFrequency = defineReducer({
  name: "wordFrequency",
  description: "Folds texts into { word: count } (identity {}).",
  input: z.string(),
  output: Frequencies,
  identity: {},
  step: (acc, text) => {
    const out = { ...acc };
    for (const w of words(text)) out[w] = (out[w] ?? 0) + 1;
    return out;
  },
  combine: (a, b) => {
    const out = { ...a };
    for (const [w, n] of Object.entries(b)) out[w] = (out[w] ?? 0) + n;
    return out;
  },
});

/** Every built-in function: the conformance set plus real work. */
const builtins: FunctionDefinition[] = [
  echo, square, isEven, sum, tokenize, fail, sleep, isPrime, countPrimes, sha256, wordFrequency,
] as FunctionDefinition[];

export default builtins;
