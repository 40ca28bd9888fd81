import { canonicalJson, expectedOutput } from "./expectedOutput.js";
import { satisfies, type FunctionInfo } from "./functionInputs.js";

/** A job request as the fuzzer builds it (valid per the spec). */
export interface JobRequestBody {
  kind: "map" | "filter" | "fold" | "mapreduce";
  function: string;
  reducer?: string;
  input: { items: unknown[] } | { range: { start: number; end: number; step?: number } };
}

/** The modelled end of a job: its result, or "fails at one of these item indexes". */
export type JobOutcome = { result: unknown } | { failingItems: ReadonlySet<number> } | undefined;

function itemsOf(input: JobRequestBody["input"]): unknown[] {
  if ("items" in input) return input.items;
  const { start, end, step = 1 } = input.range;
  const out: number[] = [];
  for (let v = start; step > 0 ? v < end : v > end; v += step) out.push(v);
  return out;
}

/**
 * What a small valid job must produce, per PROTOCOL.md (map keeps order, filter keeps kept items,
 * fold from the identity, mapreduce counts sorted by key). `undefined` when not modelled (e.g. a
 * result JSON cannot hold, or a mapreduce reducer other than `sum`).
 */
export function expectedJobOutcome(request: JobRequestBody, catalogue: ReadonlyMap<string, FunctionInfo>): JobOutcome {
  const fn = catalogue.get(request.function);
  if (!fn) return undefined;
  const items = itemsOf(request.input);
  const failing = new Set<number>();
  items.forEach((item, i) => {
    if (!satisfies(fn.inputSchema, item)) failing.add(i);
  });
  if (request.kind === "map" || request.kind === "filter") {
    const outputs: unknown[] = [];
    for (const [i, item] of items.entries()) {
      if (failing.has(i)) continue;
      const expected = expectedOutput(fn.name, item);
      if (!expected) return undefined;
      if ("throws" in expected || (request.kind === "filter" && typeof expected.output !== "boolean")) failing.add(i);
      else outputs.push(request.kind === "map" ? expected.output : expected.output === true ? [item] : []);
    }
    if (failing.size > 0) return { failingItems: failing };
    return { result: request.kind === "map" ? { kind: "map", items: outputs } : { kind: "filter", items: outputs.flat() } };
  }
  if (failing.size > 0) return { failingItems: failing };
  if (request.kind === "fold") {
    let acc = fn.identity;
    for (const item of items) {
      const next = expectedOutput(fn.name, [acc, item]);
      if (!next || !("output" in next)) return undefined;
      acc = next.output;
    }
    return { result: { kind: "fold", value: acc } };
  }
  if (fn.name !== "tokenize" || request.reducer !== "sum") return undefined;
  const counts = new Map<string, number>();
  for (const item of items) {
    const pairs = expectedOutput("tokenize", item);
    if (!pairs || !("output" in pairs)) return undefined;
    for (const [word] of pairs.output as [string, number][]) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  // Strings sort by UTF-16 code unit, which is what `<` compares.
  const entries = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { result: { kind: "mapreduce", entries } };
}

/** Whether a job's result equals the modelled one (key order ignored). */
export function sameResult(actual: unknown, expected: unknown): boolean {
  return canonicalJson(actual) === canonicalJson(expected);
}
