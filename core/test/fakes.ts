// Test doubles for the core JobEngine: a manual clock and an executor whose chunks are settled by
// hand. Nothing here touches real timers, workers or wall time, so engine tests are deterministic.
import { JobEngine, runChunk, type ChunkOutcome, type ChunkTask, type EngineClock, type Executor, type JobEngineOptions } from "@polybridge/core/engine";
import { FunctionRegistry, conformanceFunctions, type FunctionDefinition } from "@polybridge/core/functions";
import { ProblemError, type ErrorCode, type JobRequest, type ProblemExtras } from "@polybridge/core";
import { expect } from "vitest";

/**
 * Lets every chain of promises the engine started run to its next real wait (a fake timer or a
 * fake chunk). Only microtasks: the engine's async steps are a handful of `await`s deep.
 */
export async function settle(rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A manual {@link EngineClock}: timers wait in a queue sorted by due time (ties in the order they
 * were set) and run only inside {@link FakeClock.advance}; `yield` resolves on a microtask.
 */
export class FakeClock implements EngineClock {
  #now: number;
  #seq = 0;
  readonly #timers: Timer[] = [];

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: ++this.#seq, fn };
    const after = this.#timers.findIndex((t) => t.at > timer.at);
    if (after < 0) this.#timers.push(timer);
    else this.#timers.splice(after, 0, timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const index = this.#timers.indexOf(handle as Timer);
    if (index >= 0) this.#timers.splice(index, 1);
  }

  yield(): Promise<void> {
    return Promise.resolve();
  }

  /** Timers still waiting. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, running each due timer at its own time, in order, and letting
   * the promises it started settle before the next one (so a timer set by a timer still runs
   * when it falls due within the window).
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = next.at;
      next.fn();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

/** One `runChunk` call the engine made, settled by the test. */
export interface FakeChunk {
  readonly task: ChunkTask;
  readonly signal: AbortSignal;
  /** `aborted`: the signal fired before the test settled it (the promise was rejected with its reason). */
  readonly state: "pending" | "resolved" | "rejected" | "aborted";
  /** The items of the chunk's source (range sources expanded). */
  readonly items: unknown[];
  resolve(outcome: ChunkOutcome): void;
  reject(error: unknown): void;
  /** Resolves with what the real chunk runner computes for this task. */
  complete(): Promise<void>;
}

/**
 * An {@link Executor} whose chunks are promises the test resolves or rejects by hand. It records
 * every task it received and, unless `honourAbort` is off (a worker that ignores cancellation),
 * rejects a chunk with the signal's reason as soon as the signal fires.
 */
export class FakeExecutor implements Executor {
  readonly calls: FakeChunk[] = [];
  honourAbort = true;

  constructor(
    readonly registry: FunctionRegistry,
    readonly parallelism = 2,
  ) {}

  runChunk(task: ChunkTask, signal: AbortSignal): Promise<ChunkOutcome> {
    return new Promise<ChunkOutcome>((resolvePromise, rejectPromise) => {
      let state: FakeChunk["state"] = "pending";
      const onAbort = (): void => {
        if (state !== "pending" || !this.honourAbort) return;
        state = "aborted";
        rejectPromise(signal.reason);
      };
      const settleWith = (next: "resolved" | "rejected", run: () => void): void => {
        if (state !== "pending") throw new Error(`chunk at offset ${task.offset} is already ${state}`);
        state = next;
        signal.removeEventListener("abort", onAbort);
        run();
      };
      const { source } = task;
      const items = "items" in source ? Array.from(source.items) : Array.from({ length: source.range.count }, (_, i) => source.range.start + i * source.range.step);
      const registry = this.registry;
      const chunk: FakeChunk = {
        task,
        signal,
        items,
        get state() {
          return state;
        },
        resolve: (outcome) => settleWith("resolved", () => resolvePromise(outcome)),
        reject: (error) => settleWith("rejected", () => rejectPromise(error)),
        async complete() {
          const outcome = await runChunk(registry, task, new AbortController().signal);
          chunk.resolve(outcome);
        },
      };
      this.calls.push(chunk);
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Chunks neither settled nor aborted, in the order they started. */
  pending(): FakeChunk[] {
    return this.calls.filter((c) => c.state === "pending");
  }

  call(): Promise<never> {
    return Promise.reject(new Error("FakeExecutor.call is not used by the job engine"));
  }

  async close(): Promise<void> {}
}

/**
 * The conformance functions, all marked not `inline`: every chunk then goes to the executor
 * (inline functions run small chunks on the engine's thread, timed by `performance.now()`).
 */
export const registry = new FunctionRegistry(conformanceFunctions.map((def) => ({ ...def, inline: false }) as FunctionDefinition));

export interface Harness {
  engine: JobEngine;
  clock: FakeClock;
  executor: FakeExecutor;
}

const live: JobEngine[] = [];

/** Disposes every engine {@link makeEngine} made (for `afterEach`). */
export function disposeAll(): void {
  for (const engine of live.splice(0)) engine.dispose();
}

/** A JobEngine on a fake clock and a fake executor, with ids job_001, job_002, … */
export function makeEngine(options: Partial<Omit<JobEngineOptions, "executor" | "registry" | "clock">> & { parallelism?: number } = {}): Harness {
  const { parallelism, ...rest } = options;
  const clock = new FakeClock();
  const executor = new FakeExecutor(registry, parallelism ?? 2);
  let n = 0;
  const engine = new JobEngine({ executor, registry, clock, newId: () => `job_${String(++n).padStart(3, "0")}`, ...rest });
  live.push(engine);
  return { engine, clock, executor };
}

/** A map job of `square` over `items` in chunks of `chunkSize`. */
export function squares(items: number[], chunkSize = 2, concurrency = 2, timeoutMs?: number): JobRequest {
  return { kind: "map", function: "square", input: { items }, options: { chunkSize, concurrency, ...(timeoutMs === undefined ? {} : { timeoutMs }) } };
}

/** Runs `fn`, expecting a ProblemError with `code` (and `extras`, when given). */
export function expectProblem(fn: () => unknown, code: ErrorCode, extras?: ProblemExtras): ProblemError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ProblemError ${code}`).toBeInstanceOf(ProblemError);
  const error = caught as ProblemError;
  expect(error.code).toBe(code);
  if (extras) expect(error.extras).toMatchObject(extras);
  return error;
}

/** Completes every pending chunk with its computed outcome, in order, until none is left. */
export async function completeAll(executor: FakeExecutor): Promise<void> {
  for (let chunk = executor.pending()[0]; chunk; chunk = executor.pending()[0]) {
    await chunk.complete();
    await settle();
  }
}
