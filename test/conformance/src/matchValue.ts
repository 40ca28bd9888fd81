import { isDeepStrictEqual } from "node:util";
import { getPath } from "./getPath.js";

/** The matcher operators a case may use inside `expect` trees; anything else starting with `$` is a typo. */
export const MATCHER_OPERATORS = [
  "$any", "$absent", "$type", "$eq", "$length", "$pattern", "$gt", "$gte", "$lt", "$lte",
  "$oneOf", "$not", "$contains", "$containsAll", "$each", "$unordered", "$sortedBy", "$range",
] as const;

type Json = unknown;
type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const isMatcher = (v: unknown): v is Obj => isObject(v) && Object.keys(v).some((k) => k.startsWith("$"));

/**
 * Compares `actual` with an expectation and returns the mismatches (empty = match).
 * Objects match as a subset (extra actual keys are fine), arrays element by element with equal
 * length, scalars by value; objects whose keys start with `$` are matchers (see README).
 *
 * @example
 * matchValue({ status: "successful", result: { items: { $length: 3 } } }, job);
 * // → [] or ["/status: expected \"successful\", got \"failed\""]
 */
export function matchValue(expected: Json, actual: Json, path = ""): string[] {
  if (isMatcher(expected)) return matchOperators(expected, actual, path);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at(path)}: expected an array, got ${show(actual)}`];
    if (actual.length !== expected.length) {
      return [`${at(path)}: expected ${expected.length} elements, got ${actual.length}: ${show(actual)}`];
    }
    return expected.flatMap((e, i) => matchValue(e, actual[i], `${path}/${i}`));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${at(path)}: expected an object, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([key, e]) => {
      const child = `${path}/${key}`;
      const absentOk = isObject(e) && e.$absent === true;
      if (!(key in actual) && !absentOk) return [`${child}: missing (expected ${show(e)})`];
      return matchValue(e, actual[key], child);
    });
  }
  return isDeepStrictEqual(expected, actual) ? [] : [`${at(path)}: expected ${show(expected)}, got ${show(actual)}`];
}

function matchOperators(m: Obj, actual: Json, path: string): string[] {
  const out: string[] = [];
  for (const [op, arg] of Object.entries(m)) {
    const fail = (why: string): void => void out.push(`${at(path)}: ${why}`);
    switch (op) {
      case "$any":
        if (actual === undefined) fail("expected a value, got nothing");
        break;
      case "$absent":
        if (actual !== undefined) fail(`expected no value, got ${show(actual)}`);
        break;
      case "$type": {
        const types = Array.isArray(arg) ? (arg as string[]) : [String(arg)];
        const t = typeOf(actual);
        // An integer is also a number, as in JSON Schema.
        if (!types.includes(t) && !(t === "integer" && types.includes("number"))) fail(`expected type ${types.join("|")}, got ${t} ${show(actual)}`);
        break;
      }
      case "$eq":
        if (!isDeepStrictEqual(arg, actual)) fail(`expected exactly ${show(arg)}, got ${show(actual)}`);
        break;
      case "$length": {
        const len = typeof actual === "string" || Array.isArray(actual) ? actual.length : undefined;
        if (len === undefined) fail(`expected something with a length, got ${show(actual)}`);
        else out.push(...matchValue(arg, len, `${path}(length)`));
        break;
      }
      case "$pattern":
        if (typeof actual !== "string" || !new RegExp(String(arg), "u").test(actual)) fail(`expected a string matching /${String(arg)}/, got ${show(actual)}`);
        break;
      case "$gt": case "$gte": case "$lt": case "$lte":
        if (typeof actual !== "number" || !compare(op, actual, Number(arg))) fail(`expected ${op.slice(1)} ${String(arg)}, got ${show(actual)}`);
        break;
      case "$oneOf": {
        const options = arg as Json[];
        if (!options.some((o) => matchValue(o, actual, path).length === 0)) fail(`expected one of ${show(options)}, got ${show(actual)}`);
        break;
      }
      case "$not":
        if (matchValue(arg, actual, path).length === 0) fail(`expected not ${show(arg)}, got ${show(actual)}`);
        break;
      case "$contains":
        if (!Array.isArray(actual) || !actual.some((a) => matchValue(arg, a).length === 0)) fail(`expected an array containing ${show(arg)}, got ${show(actual)}`);
        break;
      case "$containsAll":
        for (const one of arg as Json[]) {
          if (!Array.isArray(actual) || !actual.some((a) => matchValue(one, a).length === 0)) fail(`expected an array containing ${show(one)}, got ${show(actual)}`);
        }
        break;
      case "$each":
        if (!Array.isArray(actual)) fail(`expected an array, got ${show(actual)}`);
        else actual.forEach((a, i) => out.push(...matchValue(arg, a, `${path}/${i}`)));
        break;
      case "$unordered":
        out.push(...matchUnordered(arg as Json[], actual, path));
        break;
      case "$sortedBy":
        out.push(...matchSorted(String(arg), actual, path));
        break;
      case "$range":
        out.push(...matchValue(expandRange(arg as Obj), actual, path));
        break;
      default:
        fail(`unknown matcher ${op}`);
    }
  }
  return out;
}

function matchUnordered(expected: Json[], actual: Json, path: string): string[] {
  if (!Array.isArray(actual) || actual.length !== expected.length) {
    return [`${at(path)}: expected ${expected.length} elements in any order, got ${show(actual)}`];
  }
  // Greedy pairing is enough for the literal-ish lists cases use.
  const left = [...actual];
  for (const e of expected) {
    const i = left.findIndex((a) => matchValue(e, a).length === 0);
    if (i < 0) return [`${at(path)}: no element matches ${show(e)} in ${show(actual)}`];
    left.splice(i, 1);
  }
  return [];
}

function matchSorted(key: string, actual: Json, path: string): string[] {
  if (!Array.isArray(actual)) return [`${at(path)}: expected a sorted array, got ${show(actual)}`];
  const keys = actual.map((a) => (key === "" ? a : getPath(a, key)));
  for (let i = 1; i < keys.length; i++) {
    const [a, b] = [keys[i - 1], keys[i]];
    // Code-unit order for strings (the protocol's sort), numeric order for numbers.
    if ((a as string | number) > (b as string | number)) return [`${at(path)}: not sorted by ${key || "value"} at ${i}: ${show(a)} > ${show(b)}`];
  }
  return [];
}

/**
 * Expands `{ start, end, step? }` to the integers the protocol's `Range` denotes.
 *
 * @example
 * expandRange({ start: 5, end: 0, step: -2 }); // [5, 3, 1]
 */
export function expandRange(range: { start?: unknown; end?: unknown; step?: unknown }): number[] {
  const start = Number(range.start);
  const end = Number(range.end);
  const step = range.step === undefined ? 1 : Number(range.step);
  if (!Number.isInteger(start) || !Number.isInteger(end) || !Number.isInteger(step) || step === 0) {
    throw new Error(`bad $range ${show(range)}`);
  }
  const out: number[] = [];
  for (let v = start; step > 0 ? v < end : v > end; v += step) out.push(v);
  return out;
}

function compare(op: string, a: number, b: number): boolean {
  if (op === "$gt") return a > b;
  if (op === "$gte") return a >= b;
  if (op === "$lt") return a < b;
  return a <= b;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

const at = (path: string): string => path || "/";

/** A short JSON rendering for messages. */
export function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}
