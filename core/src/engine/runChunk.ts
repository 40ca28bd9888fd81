import type { z } from "zod";
import type { EmitterFunction, FunctionContext, FunctionDefinition, ReducerFunction, UnaryFunction } from "../functions/defineFunction.js";
import type { FunctionRegistry } from "../functions/FunctionRegistry.js";
import type { CallOutcome, ChunkOutcome, ChunkTask } from "./Executor.js";
import { findNonFinite, nonFiniteMessage } from "./findNonFinite.js";
import { quickCheck } from "./quickCheck.js";

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
  /** An array, or a Float64Array when the local pool packed a chunk of numbers. */
  list: ArrayLike<unknown> | undefined;
  start: number;
  step: number;
  count: number;
}

function validated(schema: z.ZodType, raw: unknown): unknown {
  const result = schema.safeParse(raw);
  if (!result.success) throw new ItemFailure(-1, `invalid input: ${issues(result.error)}`);
  return result.data;
}

/** A listed item as the function gets it: as is when {@link quickCheck} vouches for it, else as zod parses it. */
type Validate = (raw: unknown) => unknown;
const validators = new WeakMap<z.ZodType, Validate>();
function validator(schema: z.ZodType): Validate {
  let validate = validators.get(schema);
  if (!validate) {
    const quick = quickCheck(schema);
    validate = quick ? (raw) => (quick(raw) ? raw : validated(schema, raw)) : (raw) => validated(schema, raw);
    validators.set(schema, validate);
  }
  return validate;
}

// Hot loops below keep their counter in a plain local (no closure, no await) so V8 keeps it in
// a register: CPU-bound range jobs then run as fast as the bare loop. Range values were checked
// at submit (first and last value), so only listed items are validated one by one.

/** Throws the item's failure when `out` holds a number JSON cannot carry (it would become null). */
function checkFinite(out: unknown, name: string, i: number): void {
  const found = typeof out === "number" ? (Number.isFinite(out) ? undefined : String(out)) : typeof out === "object" ? findNonFinite(out) : undefined;
  if (found !== undefined) throw new ItemFailure(i, nonFiniteMessage(name, found));
}

function keep(values: unknown[], out: unknown, filter: boolean, raw: unknown, name: string, i: number): void {
  if (!filter) {
    checkFinite(out, name, i);
    values.push(out);
  }
  else if (typeof out !== "boolean") throw new ItemFailure(i, `${name} returned ${typeof out}, a filter needs a boolean`);
  else if (out) values.push(raw);
}

/** Maps from item `from` until the end or the first asynchronous result. */
function mapSync(def: UnaryFunction, src: Items, filter: boolean, ctx: FunctionContext, values: unknown[], from: number): { index: number; pending?: Promise<unknown> } {
  const { list, start, step, count } = src;
  const valid = validator(def.input);
  let i = from;
  try {
    for (; i < count; i++) {
      const raw = list ? list[i] : start + i * step;
      const out = def.run(list ? valid(raw) : raw, ctx);
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

function foldItems(def: ReducerFunction, src: Items, checkEach = false): unknown {
  const { list, start, step, count } = src;
  let acc: unknown = structuredClone(def.identity);
  const valid = validator(def.input);
  let i = 0;
  try {
    if (checkEach) for (; i < count; i++) checkFinite((acc = def.step(acc, list ? valid(list[i]) : start + i * step)), def.name, i);
    else if (list) for (; i < count; i++) acc = def.step(acc, valid(list[i]));
    else for (; i < count; i++) acc = def.step(acc, start + i * step);
  } catch (error) {
    throw error instanceof ItemFailure && error.index >= 0 ? error : new ItemFailure(i, messageOf(error));
  }
  // The hot loop does not check each step; a non-finite total is rare, so the chunk is folded
  // again, checking every step, to name the item that overflowed.
  if (!checkEach && findNonFinite(acc) !== undefined) return foldItems(def, src, true);
  return acc;
}

function mapReduceItems(emitter: EmitterFunction, reducer: ReducerFunction, src: Items, ctx: FunctionContext, checkEach = false): Array<[string | number, unknown]> {
  const { list, start, step, count } = src;
  const groups = new Map<string, [string | number, unknown]>();
  const valid = validator(emitter.input);
  let i = 0;
  try {
    for (; i < count; i++) {
      const raw = list ? valid(list[i]) : start + i * step;
      for (const [key, value] of emitter.run(raw, ctx)) {
        if (typeof key !== "string" && typeof key !== "number") throw new ItemFailure(i, `${emitter.name} emitted a ${typeof key} key`);
        if (typeof key === "number" && !Number.isFinite(key)) throw new ItemFailure(i, nonFiniteMessage(`${emitter.name}'s key`, String(key)));
        const id = typeof key === "number" ? `n${key}` : `s${key}`;
        const group = groups.get(id);
        const next = reducer.step(group ? group[1] : structuredClone(reducer.identity), value);
        if (checkEach) checkFinite(next, reducer.name, i);
        if (group) group[1] = next;
        else groups.set(id, [key, next]);
      }
    }
  } catch (error) {
    throw error instanceof ItemFailure && error.index >= 0 ? error : new ItemFailure(i, messageOf(error));
  }
  const entries = [...groups.values()];
  // As in foldItems: only a chunk that ends non-finite is run again, checking each step.
  if (!checkEach && entries.some(([, value]) => findNonFinite(value) !== undefined)) return mapReduceItems(emitter, reducer, src, ctx, true);
  return entries;
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
export async function runChunk(registry: FunctionRegistry, task: ChunkTask, signal: AbortSignal | (() => AbortSignal)): Promise<ChunkOutcome> {
  const { source } = task;
  const src: Items =
    "items" in source
      ? { list: source.items, start: 0, step: 0, count: source.items.length }
      : { list: undefined, start: source.range.start, step: source.range.step, count: source.range.count };
  let made = typeof signal === "function" ? undefined : signal;
  const ctx: FunctionContext = typeof signal === "function" ? { get signal() { return (made ??= signal()); } } : { signal };
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
    if (made?.aborted || !(error instanceof ItemFailure)) throw error;
    return { ok: false, itemIndex: task.offset + error.index, message: error.message };
  }
}

function finiteCall(fn: string, output: unknown): CallOutcome {
  const found = findNonFinite(output);
  return found === undefined ? { ok: true, output } : { ok: false, message: nonFiniteMessage(fn, found) };
}

/**
 * Runs one synchronous call on an input that the caller already validated. `signal` may be given
 * as a function that makes it: it is then made only if the function reads `context.signal`
 * (most never do, and an AbortController with its timer is a measurable part of a small call).
 */
export async function runCall(registry: FunctionRegistry, fn: string, input: unknown, signal: AbortSignal | (() => AbortSignal)): Promise<CallOutcome> {
  const def = registry.get(fn);
  if (!def) throw new Error(`worker has no function '${fn}'`);
  let made = typeof signal === "function" ? undefined : signal;
  const context: FunctionContext = typeof signal === "function" ? { get signal() { return (made ??= signal()); } } : { signal };
  try {
    switch (def.kind) {
      case "unary": {
        const out = def.run(input, context);
        const output = out instanceof Promise ? await out : out;
        const found = findNonFinite(output);
        if (found !== undefined) return { ok: false, message: nonFiniteMessage(fn, found) };
        const checked = def.output.safeParse(output);
        return checked.success ? { ok: true, output } : { ok: false, message: `${fn} returned an invalid output: ${issues(checked.error)}` };
      }
      case "reducer": {
        const [acc, item] = input as [unknown, unknown];
        return finiteCall(fn, def.step(acc, item));
      }
      case "emitter":
        return finiteCall(fn, def.run(input, context));
    }
  } catch (error) {
    if (made?.aborted) throw error;
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
