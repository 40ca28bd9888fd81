import { getHeapStatistics } from "node:v8";
import { JobEngine as CoreJobEngine, systemClock, type EngineClock, type JobEngineOptions, type MemoryProbe } from "@polybridge/core/engine";

export { isTerminal, type JobEngineOptions, type Submission } from "@polybridge/core/engine";

/** The system clock with Node's cheapest yield (`setImmediate`: no 1 ms timer floor). */
export const nodeClock: EngineClock = { ...systemClock, yield: () => new Promise((resolve) => setImmediate(resolve)) };

/** V8's heap figures: budgets scale with the heap, and submissions back off before it fills. */
export const v8Memory: MemoryProbe = () => {
  const heap = getHeapStatistics();
  return { used: heap.used_heap_size, limit: heap.heap_size_limit };
};

/**
 * The core job engine on Node: real timers with `setImmediate` yields, a heap guard, and chunk
 * sizes that follow each function's measured time per item (`adaptiveChunks`).
 *
 * @example
 * const engine = new JobEngine({ executor, registry });
 * const { job } = engine.submit({ kind: "map", function: "square", input: { items: [1, 2] } });
 * await engine.wait(job.id, 5_000);
 * engine.resultJson(job.id); // '{"kind":"map","items":[1,4]}'
 */
export class JobEngine extends CoreJobEngine {
  constructor(options: JobEngineOptions) {
    super({ clock: nodeClock, memory: v8Memory, adaptiveChunks: true, ...options });
  }
}
