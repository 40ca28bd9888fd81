// The engine on its own, with an in-process executor: what it keeps, who sees it, and that a
// failure inside a job (a throwing combine, an executor bug) fails the job, not the process.
import type { JobRequest } from "@polybridge/spec";
import { afterEach, describe, expect, it } from "vitest";
import type { Executor } from "@polybridge/core/engine";
import { JobEngine } from "../src/engine/JobEngine.js";
import { runCall, runChunk } from "@polybridge/core/engine";
import builtins from "../src/functions/builtins.js";
import { defineReducer } from "@polybridge/core/functions";
import { FunctionRegistry } from "@polybridge/core/functions";
import { z } from "zod";

const badCombine = defineReducer({
  name: "badCombine",
  description: "step adds; combine throws",
  input: z.number(),
  output: z.number(),
  identity: 0,
  step: (a, b) => a + b,
  combine: () => {
    throw new Error("combine exploded");
  },
});
const registry = new FunctionRegistry([...builtins, badCombine]);

/** Runs chunks on this thread, like the worker pool would, after a turn of the event loop. */
function inProcess(overrides: Partial<Executor> = {}): Executor {
  return {
    parallelism: 2,
    runChunk: async (task, signal) => {
      await new Promise((resolve) => setImmediate(resolve));
      return runChunk(registry, task, signal);
    },
    call: (fn, input, signal) => runCall(registry, fn, input, signal),
    close: async () => undefined,
    ...overrides,
  };
}

const engines: JobEngine[] = [];
function engine(options: Partial<ConstructorParameters<typeof JobEngine>[0]> = {}): JobEngine {
  const made = new JobEngine({ executor: inProcess(), registry, ...options });
  engines.push(made);
  return made;
}
afterEach(async () => {
  for (const made of engines.splice(0)) await made.drain(0);
});

describe("JobEngine", () => {
  it("fails a job whose reducer's combine throws, with the reducer named, and keeps running jobs", async () => {
    const jobs = engine();
    const { job } = jobs.submit({ kind: "fold", function: "badCombine", input: { items: [1, 2, 3] }, options: { chunkSize: 1 } });
    const done = await jobs.wait(job.id, 5_000);
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ code: "item_failed", detail: expect.stringContaining("badCombine's combine failed: combine exploded") });
    const next = jobs.submit({ kind: "fold", function: "sum", input: { items: [1, 2, 3] } });
    expect((await jobs.wait(next.job.id, 5_000)).status).toBe("successful");
  });

  it("turns an executor that throws something unexpected into a failed job, never a rejection", async () => {
    const jobs = engine({ executor: inProcess({ runChunk: async () => ({ ok: true, kind: "fold", value: 1 }) as never }), maxChunkRetries: 0 });
    // A map job receiving a fold outcome cannot be assembled: a bug, reported as internal_error.
    // (isPrime is not inline, so its chunk goes to the executor.)
    const { job } = jobs.submit({ kind: "map", function: "isPrime", input: { items: [1] } });
    const done = await jobs.wait(job.id, 5_000);
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ code: "internal_error", detail: expect.stringContaining("needs a reducer") });
  });

  it("fails a job whose result outgrows maxResultChars with result_too_large", async () => {
    const jobs = engine({ maxResultChars: 1_000 });
    const { job } = jobs.submit({ kind: "map", function: "square", input: { range: { start: 0, end: 10_000 } }, options: { chunkSize: 100 } });
    const done = await jobs.wait(job.id, 5_000);
    expect(done.error).toMatchObject({ code: "result_too_large" });
    expect(done.progress.completedChunks).toBeLessThan(done.progress.totalChunks);
  });

  it("evicts the oldest finished jobs past maxStoredJobs", async () => {
    const jobs = engine({ maxStoredJobs: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { job } = jobs.submit({ kind: "map", function: "square", input: { items: [i] } });
      await jobs.wait(job.id, 5_000);
      ids.push(job.id);
    }
    expect(jobs.counts().stored).toBe(3);
    expect(() => jobs.get(ids[0] as string)).toThrow(expect.objectContaining({ code: "job_not_found" }));
    expect(jobs.get(ids[4] as string).status).toBe("successful");
  });

  it("evicts finished jobs past maxStoredBytes, keeping the newest", async () => {
    const jobs = engine({ maxStoredBytes: 20_000 });
    for (let i = 0; i < 30; i++) await jobs.wait(jobs.submit({ kind: "map", function: "square", input: { items: [i] } }).job.id, 5_000);
    expect(jobs.counts().stored).toBeLessThan(30);
    expect(jobs.counts().stored).toBeGreaterThan(0);
  });

  it("keeps tenants apart: jobs, lists and idempotency keys", async () => {
    const jobs = engine();
    const body: JobRequest = { kind: "map", function: "square", input: { items: [2] } };
    const alice = jobs.submit(body, { key: "k", fingerprint: "f1" }, "alice");
    expect(() => jobs.get(alice.job.id, "bob")).toThrow(expect.objectContaining({ code: "job_not_found" }));
    expect(() => jobs.cancel(alice.job.id, "bob")).toThrow(expect.objectContaining({ code: "job_not_found" }));
    expect(jobs.list({}, "bob").jobs).toEqual([]);
    expect(jobs.list({}, "alice").jobs.map((j) => j.id)).toEqual([alice.job.id]);
    const bob = jobs.submit(body, { key: "k", fingerprint: "f2" }, "bob");
    expect([bob.replayed, bob.job.id === alice.job.id]).toEqual([false, false]);
    expect(jobs.submit(body, { key: "k", fingerprint: "f1" }, "alice")).toMatchObject({ replayed: true, job: { id: alice.job.id } });
  });

  it("lets timers run while a cheap job's chunks run on this thread, so its timeout holds", async () => {
    const jobs = engine();
    const { job } = jobs.submit({ kind: "fold", function: "sum", input: { range: { start: 0, end: 1_000_000 } }, options: { chunkSize: 1, timeoutMs: 300 } });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const done = await jobs.wait(job.id, 10_000);
    clearInterval(ticker);
    expect(done.error).toMatchObject({ code: "job_timeout" });
    // Timers fired while the job ran (without yields none would before the job ended).
    expect(ticks).toBeGreaterThan(0);
  });
});
