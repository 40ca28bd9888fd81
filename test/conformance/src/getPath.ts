/**
 * Reads a dotted path such as `body.result.items.0` or `events.-1.id` (negative indexes count
 * from the end of an array). An empty path returns the value itself.
 *
 * @example
 * getPath({ body: { jobs: [{ id: "a" }, { id: "b" }] } }, "body.jobs.-1.id"); // "b"
 */
export function getPath(value: unknown, path: string): unknown {
  if (path === "") return value;
  let cur: unknown = value;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    if (Array.isArray(cur)) {
      const i = Number(key);
      if (!Number.isInteger(i)) return undefined;
      cur = cur[i < 0 ? cur.length + i : i];
    } else {
      cur = (cur as Record<string, unknown>)[key];
    }
  }
  return cur;
}
