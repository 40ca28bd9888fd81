// Piscina worker entry: loads the function modules once, then runs chunks and calls.
import { workerData } from "piscina";
import { loadRegistry } from "../functions/loadRegistry.js";
import type { ChunkTask } from "@polybridge/core/engine";
import { runCall, runChunk } from "@polybridge/core/engine";

/** A message from the LocalExecutor. */
export type WorkerMessage =
  | { type: "chunk"; task: ChunkTask }
  | { type: "call"; fn: string; input: unknown };

const registry = loadRegistry((workerData as { modules: string[] }).modules);
// Piscina does not hand the task's AbortSignal to workers: it terminates the thread instead,
// so a never-aborting signal is enough for functions that accept one.
const signal = new AbortController().signal;

export default async function handle(message: WorkerMessage): Promise<unknown> {
  const reg = await registry;
  // The compute time goes back with the outcome: the engine sizes later chunks of the function by
  // it, and lets tiny calls and chunks run on the main thread (FunctionCosts).
  const started = performance.now();
  const outcome = message.type === "call" ? await runCall(reg, message.fn, message.input, signal) : await runChunk(reg, message.task, signal);
  if (outcome.ok) outcome.computeMs = performance.now() - started;
  return outcome;
}
