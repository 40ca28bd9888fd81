import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { ExecutorBusyError, PACKED_CHUNK_ITEMS, packNumbers, type CallOutcome, type ChunkOutcome, type ChunkTask, type Executor } from "@polybridge/core/engine";
import type { WorkerMessage } from "./worker.js";

/**
 * Young generation of each worker, in MB (V8's default is 3 × 16 MB semi-spaces per isolate). A
 * chunk's values and text are garbage as soon as the text is posted: with the default, each
 * worker kept ~45 MB of it between scavenges, a third of a 10^7-item map's peak RSS.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * A chunk's listed numbers moved to the worker in a Float64Array of their own: structured-cloning
 * a million numbers one by one cost this thread ≈ 25 ms and the workers as much again (row 5c),
 * a copy of the packed array is a memcpy. (A copy: the task's array must survive the move, to
 * be sent again if the worker dies.) Chunks that arrive as plain lists (a Redis worker's, from
 * JSON) are packed here when big and all numbers.
 */
function packed(task: ChunkTask): { task: ChunkTask; transferList?: ArrayBuffer[] } {
  const { source } = task;
  if (!("items" in source)) return { task };
  const list = source.items;
  const items = list instanceof Float64Array ? list.slice() : list.length >= PACKED_CHUNK_ITEMS ? packNumbers(list, 0, list.length) : undefined;
  if (!items) return { task };
  return { task: { ...task, source: { items } }, transferList: [items.buffer as ArrayBuffer] };
}

/** Options of the local worker pool. */
export interface LocalExecutorOptions {
  /** Function modules every worker imports (built-ins first). */
  modules: readonly string[];
  /** Worker threads; default: all cores. */
  workers?: number;
  /** Per-worker old-generation heap limit; a worker over it dies and its chunk is re-run. */
  maxHeapMb?: number;
  /** Tasks that may wait for a worker before `runChunk`/`call` reject with ExecutorBusyError. */
  maxQueuedTasks?: number;
}

/**
 * Runs chunks on a piscina pool of worker threads in this process.
 *
 * @example
 * const pool = new LocalExecutor({ modules: [builtinsModule], workers: 2 });
 * await pool.runChunk({ kind: "map", fn: "square", offset: 0, source: { items: [3] } }, new AbortController().signal);
 */
export class LocalExecutor implements Executor {
  readonly parallelism: number;
  readonly packsNumbers = true;
  readonly #pool: Piscina;
  #running = 0;

  constructor(options: LocalExecutorOptions) {
    this.parallelism = Math.max(1, options.workers ?? availableParallelism());
    this.#pool = new Piscina({
      filename: new URL("./workerEntry.cjs", import.meta.url).href,
      minThreads: this.parallelism,
      maxThreads: this.parallelism,
      idleTimeout: 60_000,
      maxQueue: options.maxQueuedTasks ?? this.parallelism * 1024,
      workerData: { modules: [...options.modules] },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, ...(options.maxHeapMb ? { maxOldGenerationSizeMb: options.maxHeapMb } : {}) },
    });
    // A dying worker is reported per task; keep the pool's own error event from crashing the process.
    this.#pool.on("error", () => undefined);
  }

  runChunk(task: ChunkTask, signal: AbortSignal): Promise<ChunkOutcome> {
    const pack = packed(task);
    return this.#run({ type: "chunk", task: pack.task }, signal, pack.transferList) as Promise<ChunkOutcome>;
  }

  call(fn: string, input: unknown, signal: AbortSignal): Promise<CallOutcome> {
    return this.#run({ type: "call", fn, input }, signal) as Promise<CallOutcome>;
  }

  async #run(message: WorkerMessage, signal: AbortSignal, transferList?: ArrayBuffer[]): Promise<unknown> {
    if (this.#pool.queueSize >= this.#pool.options.maxQueue) throw new ExecutorBusyError();
    this.#running++;
    try {
      return await this.#pool.run(message, transferList ? { signal, transferList } : { signal });
    } finally {
      this.#running--;
    }
  }

  /** The pool now, for metrics: piscina's utilization, tasks in flight (running or waiting for a worker), waiting, threads. */
  stats(): { utilization: number; running: number; queued: number; threads: number } {
    const queued = this.#pool.queueSize;
    return { utilization: this.#pool.utilization, running: Math.max(0, this.#running - queued), queued, threads: this.#pool.threads.length };
  }

  async close(): Promise<void> {
    await this.#pool.close({ force: true });
  }
}
