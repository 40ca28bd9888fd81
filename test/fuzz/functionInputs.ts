import { createAjv } from "@polybridge/spec";
import fc from "fast-check";
import { defaultLimits, schemaArbitrary, type Schema, type SchemaLimits } from "./schemaArbitrary.js";

/** One entry of `GET /v1/functions` (the spec's FunctionInfo). */
export interface FunctionInfo {
  name: string;
  kind: "unary" | "reducer" | "emitter";
  inputSchema: Schema;
  outputSchema: Schema;
  identity?: unknown;
}

/**
 * Per-function budgets: the catalogue allows `sleep` 10 s and `sha256` 100,000 rounds, which are
 * valid but would make a 1,000-request run slow; the fuzzer's job is the protocol, not stamina.
 */
const budgets: Record<string, Partial<SchemaLimits>> = {
  sleep: { maxAbsInt: 15 },
  sha256: { maxAbsInt: 20 },
};

/**
 * Values known to break naive implementations: non-finite results (1e200² overflows to Infinity,
 * which JSON writes as null), unsafe integers, prototype keys used as words, odd Unicode.
 */
export const trickyValues: unknown[] = [
  1e200, -1e200, Number.MAX_VALUE, 5e-324, -0, 0.1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 9007199254740881, -2, 0,
  "constructor", "__proto__", "toString valueOf hasOwnProperty", "Constructor __PROTO__ constructor", "prototype __defineGetter__",
  "", "   ", "İstanbul ß Σ", "😀 emoji 😀", "\u0000nul", "\ud800 lone surrogate", "a\u0301 combining", "١٢٣ arabic digits",
  { data: "constructor" }, { data: "", iterations: 1 }, { data: "😀", iterations: 20 },
  [], {}, null, true,
  // Parsed, so "__proto__" is an own key as it is on the server after JSON.parse.
  JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": 1}}') as unknown,
];

/** Accumulators with prototype names as own keys, as JSON.parse on the server makes them. */
export const trickyAccumulators: unknown[] = [
  JSON.parse('{"__proto__": 2, "constructor": 3}') as unknown,
  { hasOwnProperty: 1, toString: 2, constructor: 0 },
  1e308,
];

const ajv = createAjv();

/** Whether `value` satisfies a catalogue JSON Schema (inputSchema / outputSchema). */
export function satisfies(schema: Schema, value: unknown): boolean {
  return ajv.validate(schema, value);
}

/**
 * Valid, small inputs for one function, generated from its catalogue `inputSchema` plus the
 * tricky values that schema accepts (`1e200` for square, `"__proto__"` for tokenize, …).
 *
 * @example
 * fc.sample(itemArbitrary(squareInfo), 3); // e.g. [1e200, 3, -0.5]
 */
export function itemArbitrary(info: FunctionInfo): fc.Arbitrary<unknown> {
  const limits = { ...defaultLimits, ...budgets[info.name] };
  const generated = schemaArbitrary(info.inputSchema, limits);
  // A sleep or sha256 tricky value may be valid but far over the budget (sleep 9e15 is not).
  const tricky = trickyValues.filter((v) => satisfies(info.inputSchema, v) && withinBudget(info.name, v));
  return tricky.length === 0 ? generated : fc.oneof({ arbitrary: generated, weight: 2 }, { arbitrary: fc.constantFrom(...tricky), weight: 1 });
}

function withinBudget(name: string, value: unknown): boolean {
  if (name === "sleep") return typeof value === "number" && value <= 15;
  // Trial division of a prime near 2^53 takes ~0.1 s; fine once, not as every item of a job.
  if (name === "isPrime" || name === "countPrimes") return typeof value !== "number" || Math.abs(value) < 2 ** 40 || value === 9007199254740881;
  return true;
}

/**
 * The `input` of a valid sync call: the item for unary and emitter functions, `[accumulator, item]`
 * for a reducer (the accumulator drawn from the outputSchema, or the identity).
 */
export function callInputArbitrary(info: FunctionInfo): fc.Arbitrary<unknown> {
  if (info.kind !== "reducer") return itemArbitrary(info);
  const trickyAcc = trickyAccumulators.filter((v) => satisfies(info.outputSchema, v));
  const acc = fc.oneof(fc.constant(info.identity), schemaArbitrary(info.outputSchema, { ...defaultLimits, maxAbsInt: 100 }), ...(trickyAcc.length > 0 ? [fc.constantFrom(...trickyAcc)] : []));
  return fc.tuple(acc, itemArbitrary(info));
}
