import fc from "fast-check";

/** A path into a JSON value: object keys and array indexes. */
export type JsonPath = readonly (string | number)[];

/** Every path of a JSON value (the root `[]` included), parents before children. */
export function jsonPaths(value: unknown, at: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...jsonPaths(v, [...at, i])));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...jsonPaths(v, [...at, k]));
  return out;
}

export function getAt(value: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((cur, key) => (cur as Record<string | number, unknown>)[key], value);
}

/** A deep copy with the node at `path` replaced (`undefined` deletes an object key). */
export function setAt(value: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? setAt(v, rest, replacement) : v));
  const obj = { ...(value as Record<string, unknown>) };
  // defineProperty keeps "__proto__" an own key, as JSON.parse on the server makes it.
  const next = setAt(obj[head as string], rest, replacement);
  if (next === undefined && rest.length === 0) delete obj[head as string];
  else Object.defineProperty(obj, head as string, { value: next, enumerable: true, writable: true, configurable: true });
  return obj;
}

/** Values of the wrong JSON type for almost any field. */
const wrongTypes: unknown[] = ["1", "", true, false, null, [], {}, [1], { a: 1 }, 1.5, 0, -1];

/** Numbers that break integer/range checks: huge, negative, fractional, unsafe, zero. */
const oddNumbers: unknown[] = [
  -1, 0, 0.5, 1.5, -0, 1e300, -1e300, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2, 1e21, 1_000_001, 86_400_001, 600_001, 1025, 2 ** 31, -(2 ** 31) - 1,
  Number.MIN_VALUE, Number.MAX_VALUE, 100_000_001, 1e9,
];

/** Strings that are valid JSON text but odd: long, control and bidi characters, lone surrogates. */
const oddStrings: unknown[] = [
  "", " ", "\u0000", "\u202e RTL", "\ud800", "\udfff\ud800", "a".repeat(10_000), "😀".repeat(100), "map ", "MAP", "Map", "square\u0000",
  "../../etc/passwd", "%00", "constructor", "__proto__", "toString", "sum\n", "é", "e\u0301", "\ufeffsquare",
];

/** Keys that must not slip through `additionalProperties: false` (or pollute a prototype). */
const extraKeys = ["extra", "__proto__", "constructor", "prototype", "", "Kind", "items ", "$ref"];

/** One structural mutation of a JSON value, named for the summary. */
export interface Mutation {
  name: string;
  value: unknown;
}

/**
 * Mutations of a valid body: a node replaced by a wrong type / odd number / odd string, a key
 * deleted (missing required), an extra key added, or a subtree wrapped in deep nesting.
 */
export function mutateJson(value: unknown): fc.Arbitrary<Mutation> {
  const paths = jsonPaths(value);
  const objectPaths = paths.filter((p) => {
    const node = getAt(value, p);
    return node !== null && typeof node === "object" && !Array.isArray(node);
  });
  const keyPaths = paths.filter((p) => typeof p[p.length - 1] === "string");
  const at = fc.constantFrom(...paths);
  const options: fc.Arbitrary<Mutation>[] = [
    fc.tuple(at, fc.constantFrom(...wrongTypes)).map(([p, v]) => ({ name: "wrongType", value: setAt(value, p, v) })),
    fc.tuple(at, fc.constantFrom(...oddNumbers)).map(([p, v]) => ({ name: "oddNumber", value: setAt(value, p, v) })),
    fc.tuple(at, fc.constantFrom(...oddStrings)).map(([p, v]) => ({ name: "oddString", value: setAt(value, p, v) })),
    fc.tuple(at, fc.integer({ min: 2, max: 40 })).map(([p, depth]) => ({ name: "nested", value: setAt(value, p, nest(getAt(value, p), depth)) })),
  ];
  if (keyPaths.length > 0) options.push(fc.constantFrom(...keyPaths).map((p) => ({ name: "missingKey", value: setAt(value, p, undefined) })));
  if (objectPaths.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...objectPaths), fc.constantFrom(...extraKeys), fc.constantFrom<unknown>(1, "x", null, { polluted: true })).map(([p, key, v]) => ({
        name: "extraKey",
        value: setAt(value, [...p, key], v),
      })),
    );
  }
  return fc.oneof(...options);
}

/** `depth` levels of arrays and objects around a value. */
export function nest(value: unknown, depth: number): unknown {
  let out = value;
  for (let i = 0; i < depth; i++) out = i % 2 === 0 ? [out] : { a: out };
  return out;
}
