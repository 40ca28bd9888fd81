import type { z } from "zod";
import type { EmitterFunction, FunctionContext, FunctionDefinition, ReducerFunction, UnaryFunction } from "../functions/defineFunction.js";
import type { FunctionRegistry } from "../functions/FunctionRegistry.js";
import type { CallOutcome, ChunkOutcome, ChunkTask } from "./Executor.js";

function issues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

function need(registry: FunctionRegistry, name: string | undefined, kind: FunctionDefinition["kind"]): FunctionDefinition {
  const def = name === undefined ? undefined : registry.get(name);
  // Routes check names and kinds before a job starts; this guards workers with other modules.
  if (!def || def.kind !== kind) throw new Error(`worker has no ${kind} function '${name ?? ""}'`);
  return def;
}

/** The first failing item of a chunk (index within the chunk). */
class ItemFailure {
  constructor(
    readonly index: number,
    readonly message: string,
  ) {}
}

const messageOf = (error: unknown): string => (error instanceof ItemFailure ? error.message : error instanceof Error ? error.message : String(error));

/** A chunk's items without per-item closures: a list, or `start + i * step`. */
interface Items {
  list: unknown[] | undefined;
  start: number;
  step: number;
  count: number;
}

function validated(schema: z.ZodType, raw: unknown): unknown {
  const result = schema.safeParse(raw);
  if (!result.success) throw new ItemFailure(-1, `invalid input: ${issues(result.error)}`);
  return result.data;
}

// Hot loops below keep their counter in a plain local (no closure, no await) so V8 keeps it in
// a register: CPU-bound range jobs then run as fast as the bare loop. Range values were checked
// at submit (first and last value), so only listed items are validated one by one.

function keep(values: unknown[], out: unknown, filter: boolean, raw: unknown, name: string, i: number): void {
  if (!filter) values.push(out);
  else if (typeof out !== "boolean") throw new ItemFailure(i, `${name} returned ${typeof out}, a filter needs a boolean`);
  else if (out) values.push(raw);
}

/** Maps from item `from` until the end or the first asynchronous result. */
function mapSync(def: UnaryFunction, src: Items, filter: boolean, ctx: FunctionContext, values: unknown[], from: number): { index: number; pending?: Promise<unknown> } {
  const { list, start, step, count } = src;
  let i = from;
  try {
    for (; i < count; i++) {
      const raw = list ? list[i] : start + i * step;
      const out = def.run(list ? validated(def.input, raw) : raw, ctx);
      if (out instanceof Promise) return { index: i, pending: out };
      keep(values, out, filter, raw, def.name, i);
    }
  } catch (error) {
    throw new ItemFailure(i, messageOf(error));
  }
  return { index: count };
}

async function mapItems(def: UnaryFunction, src: Items, filter: boolean, ctx: FunctionContext): Promise<unknown[]> {
  const values: unknown[] = [];
  for (let from = 0; from < src.count; ) {
    const stop = mapSync(def, src, filter, ctx, values, from);
    if (!stop.pending) break;
    let out: unknown;
    try {
      out = await stop.pending;
    } catch (error) {
      throw new ItemFailure(stop.index, messageOf(error));
    }
    keep(values, out, filter, src.list ? src.list[stop.index] : src.start + stop.index * src.step, def.name, stop.index);
    from = stop.index + 1;
  }
  return values;
}

function foldItems(def: ReducerFunction, src: Items): unknown {
  const { list, start, step, count } = src;
  let acc: unknown = structuredClone(def.identity);
  let i = 0;
  try {
    if (list) for (; i < count; i++) acc = def.step(acc, validated(def.input, list[i]));
    else for (; i < count; i++) acc = def.step(acc, start + i * step);
  } catch (error) {
    throw new ItemFailure(i, messageOf(error));
  }
  return acc;
}

function mapReduceItems(emitter: EmitterFunction, reducer: ReducerFunction, src: Items, ctx: FunctionContext): Array<[string | number, unknown]> {
  const { list, start, step, count } = src;
  const groups = new Map<string, [string | number, unknown]>();
  let i = 0;
  try {
    for (; i < count; i++) {
      const raw = list ? validated(emitter.input, list[i]) : start + i * step;
      for (const [key, value] of emitter.run(raw, ctx)) {
        if (typeof key !== "string" && typeof key !== "number") throw new ItemFailure(i, `${emitter.name} emitted a ${typeof key} key`);
        const id = typeof key === "number" ? `n${key}` : `s${key}`;
        const group = groups.get(id);
        if (group) group[1] = reducer.step(group[1], value);
        else groups.set(id, [key, reducer.step(structuredClone(reducer.identity), value)]);
      }
    }
  } catch (error) {
    throw new ItemFailure(i, messageOf(error));
  }
  return [...groups.values()];
}

/**
 * Runs one chunk with the functions of `registry`: validates each listed item against the
 * function's input schema and stops at the first item that is invalid or throws. Shared by
 * every executor.
 *
 * @example
 * const out = await runChunk(registry, { kind: "map", fn: "square", offset: 0,
 *   source: { items: [1, 2] } }, AbortSignal.timeout(1000)); // { ok: true, kind: "map", items: "1,4", count: 2 }
 */
export async function runChunk(registry: FunctionRegistry, task: ChunkTask, signal: AbortSignal): Promise<ChunkOutcome> {
  const { source } = task;
  const src: Items =
    "items" in source
      ? { list: source.items, start: 0, step: 0, count: source.items.length }
      : { list: undefined, start: source.range.start, step: source.range.step, count: source.range.count };
  const ctx = { signal };
  try {
    switch (task.kind) {
      case "map":
      case "filter": {
        const values = await mapItems(need(registry, task.fn, "unary") as UnaryFunction, src, task.kind === "filter", ctx);
        return { ok: true, kind: task.kind, items: JSON.stringify(values).slice(1, -1), count: values.length };
      }
      case "fold":
        return { ok: true, kind: "fold", value: foldItems(need(registry, task.fn, "reducer") as ReducerFunction, src) };
      case "mapreduce": {
        const emitter = need(registry, task.fn, "emitter") as EmitterFunction;
        const reducer = need(registry, task.reducer, "reducer") as ReducerFunction;
        return { ok: true, kind: "mapreduce", entries: mapReduceItems(emitter, reducer, src, ctx) };
      }
    }
  } catch (error) {
    if (signal.aborted || !(error instanceof ItemFailure)) throw error;
    return { ok: false, itemIndex: task.offset + error.index, message: error.message };
  }
}

/** Runs one synchronous call on an input that the caller already validated. */
export async function runCall(registry: FunctionRegistry, fn: string, input: unknown, signal: AbortSignal): Promise<CallOutcome> {
  const def = registry.get(fn);
  if (!def) throw new Error(`worker has no function '${fn}'`);
  try {
    switch (def.kind) {
      case "unary": {
        const out = def.run(input, { signal });
        const output = out instanceof Promise ? await out : out;
        const checked = def.output.safeParse(output);
        return checked.success ? { ok: true, output } : { ok: false, message: `${fn} returned an invalid output: ${issues(checked.error)}` };
      }
      case "reducer": {
        const [acc, item] = input as [unknown, unknown];
        return { ok: true, output: def.step(acc, item) };
      }
      case "emitter":
        return { ok: true, output: def.run(input, { signal }) };
    }
  } catch (error) {
    if (signal.aborted) throw error;
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
