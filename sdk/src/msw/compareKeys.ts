/**
 * Mapreduce key order from docs/PROTOCOL.md: numbers before strings, numbers ascending,
 * strings by code unit.
 *
 * @example
 * [["b", 1], [2, 1], ["a", 1]].sort((x, y) => compareKeys(x[0], y[0])); // [[2,1],["a",1],["b",1]]
 */
export function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
