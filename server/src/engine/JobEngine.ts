import { randomFillSync } from "node:crypto";
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

/** Random bytes drawn 4 KiB at a time, 16 per job id. */
const idBytes = Buffer.alloc(4096);
let idOffset = idBytes.length;

/**
 * `job_` and 32 random hex digits (128 bits from the OS's generator, as the core's default), cut
 * from a pooled buffer: `randomUUID()` with its dashes removed allocated ≈ 1.5 KB an id.
 *
 * @example
 * randomJobId(); // "job_3f9c…" (36 characters)
 */
export function randomJobId(): string {
  if (idOffset === idBytes.length) {
    randomFillSync(idBytes);
    idOffset = 0;
  }
  idOffset += 16;
  return `job_${idBytes.toString("hex", idOffset - 16, idOffset)}`;
}

/**
 * The core job engine on Node: real timers with `setImmediate` yields, a heap guard, pooled
 * random job ids, and chunk sizes that follow each function's measured time per item
 * (`adaptiveChunks`).
 *
 * @example
 * const engine = new JobEngine({ executor, registry });
 * const { job } = engine.submit({ kind: "map", function: "square", input: { items: [1, 2] } });
 * await engine.wait(job.id, 5_000);
 * engine.resultJson(job.id); // '{"kind":"map","items":[1,4]}'
 */
export class JobEngine extends CoreJobEngine {
  constructor(options: JobEngineOptions) {
    super({ clock: nodeClock, memory: v8Memory, adaptiveChunks: true, newId: randomJobId, ...options });
  }
}
