import type { z } from "zod";
import type { FunctionDefinition, ReducerFunction } from "../functions/defineFunction.js";
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

/**
 * Runs one chunk with the functions of `registry`: validates each item against the function's
 * input schema and stops at the first item that is invalid or throws. Shared by every executor.
 *
 * @example
 * const out = await runChunk(registry, { kind: "map", fn: "square", offset: 0,
 *   source: { items: [1, 2] } }, AbortSignal.timeout(1000)); // { ok: true, kind: "map", values: [1, 4] }
 */
export async function runChunk(registry: FunctionRegistry, task: ChunkTask, signal: AbortSignal): Promise<ChunkOutcome> {
  const { source } = task;
  const count = "items" in source ? source.items.length : source.range.count;
  const at = "items" in source
    ? (i: number) => source.items[i]
    : (i: number) => source.range.start + i * source.range.step;
  const ctx = { signal };
  let index = 0;
  const failed = (message: string): ChunkOutcome => ({ ok: false, itemIndex: task.offset + index, message });
  try {
    switch (task.kind) {
      case "map":
      case "filter": {
        const def = need(registry, task.fn, "unary");
        if (def.kind !== "unary") throw new Error("unreachable");
        const values: unknown[] = [];
        for (; index < count; index++) {
          const parsed = def.input.safeParse(at(index));
          if (!parsed.success) return failed(`invalid input: ${issues(parsed.error)}`);
          const out = def.run(parsed.data, ctx);
          const value = out instanceof Promise ? await out : out;
          if (task.kind === "map") values.push(value);
          else if (typeof value !== "boolean") return failed(`${def.name} returned ${typeof value}, a filter needs a boolean`);
          else if (value) values.push(at(index));
        }
        return { ok: true, kind: task.kind, values };
      }
      case "fold": {
        const def = need(registry, task.fn, "reducer") as ReducerFunction;
        let acc: unknown = structuredClone(def.identity);
        for (; index < count; index++) {
          const parsed = def.input.safeParse(at(index));
          if (!parsed.success) return failed(`invalid input: ${issues(parsed.error)}`);
          acc = def.step(acc, parsed.data);
        }
        return { ok: true, kind: "fold", value: acc };
      }
      case "mapreduce": {
        const emitter = need(registry, task.fn, "emitter");
        const reducer = need(registry, task.reducer, "reducer") as ReducerFunction;
        if (emitter.kind !== "emitter") throw new Error("unreachable");
        const groups = new Map<string, [string | number, unknown]>();
        for (; index < count; index++) {
          const parsed = emitter.input.safeParse(at(index));
          if (!parsed.success) return failed(`invalid input: ${issues(parsed.error)}`);
          for (const [key, value] of emitter.run(parsed.data, ctx)) {
            if (typeof key !== "string" && typeof key !== "number") return failed(`${emitter.name} emitted a ${typeof key} key`);
            const id = typeof key === "number" ? `n${key}` : `s${key}`;
            const group = groups.get(id);
            if (group) group[1] = reducer.step(group[1], value);
            else groups.set(id, [key, reducer.step(structuredClone(reducer.identity), value)]);
          }
        }
        return { ok: true, kind: "mapreduce", entries: [...groups.values()] };
      }
    }
  } catch (error) {
    if (signal.aborted) throw error;
    return failed(error instanceof Error ? error.message : String(error));
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
