/**
 * Expands the body generators a request may use, so that cases stay small:
 * `{ $fill: { length, value } }` → an array of `length` copies of `value`;
 * `{ $nest: { depth, leaf } }` → `leaf` wrapped in `depth` arrays.
 *
 * @example
 * generateBody({ items: { $fill: { length: 3, value: 0 } } }); // { items: [0, 0, 0] }
 * generateBody({ $nest: { depth: 2, leaf: 1 } });             // [[1]]
 */
export function generateBody(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(generateBody);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if ("$fill" in obj) {
    const { length, value: item } = obj.$fill as { length: number; value: unknown };
    return Array.from({ length }, () => generateBody(item));
  }
  if ("$nest" in obj) {
    const { depth, leaf } = obj.$nest as { depth: number; leaf: unknown };
    let out: unknown = generateBody(leaf);
    for (let i = 0; i < depth; i++) out = [out];
    return out;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, generateBody(v)]));
}

/**
 * A syntactically valid JSON job body of exactly `bytes` bytes (for the body size limit).
 *
 * @example
 * Buffer.byteLength(paddedJobBody(100)); // 100
 */
export function paddedJobBody(bytes: number): string {
  const head = '{"kind":"map","function":"echo","input":{"items":["';
  const tail = '"]}}';
  return head + "x".repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}
