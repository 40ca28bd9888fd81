import { z } from "zod";
import { defineEmitter, defineReducer, defineUnary, type FunctionDefinition } from "./defineFunction.js";
import { diningPhilosophers } from "./diningPhilosophers.js";

// Browser-safe on purpose (no Node built-ins): the msw mock handlers run these same definitions.

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
  run: (ms, { signal }) =>
    new Promise<number>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      // One chunk's items share a signal: drop the listener when the wait ends.
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(ms);
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    }),
});

/** The conformance set every polybridge server serves (docs/PROTOCOL.md). */
export const conformanceFunctions: FunctionDefinition[] = [echo, square, isEven, sum, tokenize, fail, sleep, diningPhilosophers] as FunctionDefinition[];

export default conformanceFunctions;
