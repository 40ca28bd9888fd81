import stringify from "safe-stable-stringify";

/**
 * A request body as JSON with object keys sorted at every level: two bodies that differ only in
 * key order give the same text (how the protocol compares idempotent submissions).
 *
 * @example
 * bodyFingerprint({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function bodyFingerprint(body: unknown): string {
  return stringify(body) ?? "null";
}
