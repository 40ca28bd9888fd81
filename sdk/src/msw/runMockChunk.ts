import type { EmitterFunction, FunctionDefinition, FunctionRegistry, ReducerFunction, UnaryFunction } from "@polybridge/server/functions";
import type { JobRequest } from "../schemaTypes.js";

/** The items of one chunk: a slice of a list, or `start + i * step` for `count` values. */
export type MockChunkSource = { items: unknown[] } | { range: { start: number; step: number; count: number } };

/** What one chunk produced, or the first item that failed (index within the whole job). */
export type MockChunkOutcome =
  | { ok: true; kind: "map" | "filter"; values: unknown[] }
  | { ok: true; kind: "fold"; value: unknown }
  | { ok: true; kind: "mapreduce"; entries: Array<[string | number, unknown]> }
  | { ok: false; itemIndex: number; message: string };

/** One chunk of a job. */
export interface MockChunkTask {
  kind: JobRequest["kind"];
  fn: string;
  reducer?: string;
  /** Index of the chunk's first item in the job's input. */
  offset: number;
  source: MockChunkSource;
}

class ItemFailure extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

function need<K extends FunctionDefinition["kind"]>(registry: FunctionRegistry, name: string | undefined, kind: K): Extract<FunctionDefinition, { kind: K }> {
  const def = name === undefined ? undefined : registry.get(name);
  // Submission checked names and kinds; this guards against a registry swapped under a running job.
  if (!def || def.kind !== kind) throw new Error(`no ${kind} function '${name ?? ""}'`);
  return def as Extract<FunctionDefinition, { kind: K }>;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Listed items are validated one by one (range values were checked at submit, first and last). */
function itemAt(def: FunctionDefinition, source: MockChunkSource, i: number): unknown {
  if ("range" in source) return source.range.start + i * source.range.step;
  const parsed = def.input.safeParse(source.items[i]);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((x) => (x.path.length ? `${x.path.join(".")}: ${x.message}` : x.message)).join("; ");
    throw new ItemFailure(i, `invalid input: ${issues}`);
  }
  return parsed.data;
}

const countOf = (source: MockChunkSource): number => ("range" in source ? source.range.count : source.items.length);

async function mapItems(def: UnaryFunction, source: MockChunkSource, filter: boolean, signal: AbortSignal): Promise<unknown[]> {
  const values: unknown[] = [];
  for (let i = 0; i < countOf(source); i++) {
    let out: unknown;
    const input = itemAt(def, source, i);
    try {
      out = await def.run(input, { signal });
    } catch (error) {
      throw new ItemFailure(i, messageOf(error));
    }
    if (!filter) values.push(out);
    else if (typeof out !== "boolean") throw new ItemFailure(i, `${def.name} returned ${typeof out}, a filter needs a boolean`);
    else if (out) values.push("range" in source ? input : source.items[i]);
  }
  return values;
}

function foldItems(def: ReducerFunction, source: MockChunkSource): unknown {
  let acc: unknown = structuredClone(def.identity);
  for (let i = 0; i < countOf(source); i++) {
    const item = itemAt(def, source, i);
    try {
      acc = def.step(acc, item);
    } catch (error) {
      throw new ItemFailure(i, messageOf(error));
    }
  }
  return acc;
}

function mapReduceItems(emitter: EmitterFunction, reducer: ReducerFunction, source: MockChunkSource, signal: AbortSignal): Array<[string | number, unknown]> {
  const groups = new Map<string, [string | number, unknown]>();
  for (let i = 0; i < countOf(source); i++) {
    const item = itemAt(emitter, source, i);
    try {
      for (const [key, value] of emitter.run(item, { signal })) {
        if (typeof key !== "string" && typeof key !== "number") throw new ItemFailure(i, `${emitter.name} emitted a ${typeof key} key`);
        const id = typeof key === "number" ? `n${key}` : `s${key}`;
        const group = groups.get(id);
        if (group) group[1] = reducer.step(group[1], value);
        else groups.set(id, [key, reducer.step(structuredClone(reducer.identity), value)]);
      }
    } catch (error) {
      throw error instanceof ItemFailure ? error : new ItemFailure(i, messageOf(error));
    }
  }
  return [...groups.values()];
}

/**
 * Runs one chunk with the registry's functions, in the page or test process: the same
 * definitions and the same item semantics as the reference server's workers (validate each
 * listed item, stop at the first that is invalid or throws, filters need booleans).
 *
 * @example
 * await runMockChunk(registry, { kind: "map", fn: "square", offset: 0, source: { items: [1, 2] } }, signal);
 * // { ok: true, kind: "map", values: [1, 4] }
 */
export async function runMockChunk(registry: FunctionRegistry, task: MockChunkTask, signal: AbortSignal): Promise<MockChunkOutcome> {
  try {
    switch (task.kind) {
      case "map":
      case "filter":
        return { ok: true, kind: task.kind, values: await mapItems(need(registry, task.fn, "unary"), task.source, task.kind === "filter", signal) };
      case "fold":
        return { ok: true, kind: "fold", value: foldItems(need(registry, task.fn, "reducer"), task.source) };
      case "mapreduce":
        return { ok: true, kind: "mapreduce", entries: mapReduceItems(need(registry, task.fn, "emitter"), need(registry, task.reducer, "reducer"), task.source, signal) };
    }
  } catch (error) {
    if (signal.aborted || !(error instanceof ItemFailure)) throw error;
    return { ok: false, itemIndex: task.offset + error.index, message: error.message };
  }
}
