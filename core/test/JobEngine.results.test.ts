// JobEngine: how chunk results combine, how progress is logged, and how a job fails (first failing
// item, result too large, executor failures). Fake clock and executor: see fakes.ts.
import { ExecutorBusyError, type LoggedEvent } from "@polybridge/core/engine";
import { afterEach, describe, expect, it } from "vitest";
import { disposeAll, expectProblem, makeEngine, settle, squares } from "./fakes.js";

afterEach(disposeAll);

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("results keep their order whatever order chunks finish in", () => {
  it("map keeps input order", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit(squares(range(1, 7), 2, 4));
    expect(job.progress).toEqual({ completedChunks: 0, totalChunks: 4, completedItems: 0, totalItems: 7 });
    expect(executor.calls.map((c) => [c.task.offset, c.items])).toEqual([
      [0, [1, 2]],
      [2, [3, 4]],
      [4, [5, 6]],
      [6, [7]],
    ]);
    for (const index of [3, 1, 0, 2]) {
      expect(job.status).toBe("running");
      await executor.calls[index]!.complete();
      await settle();
    }
    expect(job.status).toBe("successful");
    expect(engine.resultJson(job.id)).toBe('{"kind":"map","items":[1,4,9,16,25,36,49]}');
    expect(engine.jobWithResultJson(job.id)?.join("")).toBe(JSON.stringify({ ...job, result: { kind: "map", items: [1, 4, 9, 16, 25, 36, 49] } }));
  });

  it("filter keeps the kept items in input order, chunks that keep nothing included", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit({ kind: "filter", function: "isEven", input: { items: [1, 3, 5, 2, 4, 7, 8, 9] }, options: { chunkSize: 3, concurrency: 3 } });
    for (const index of [2, 0, 1]) {
      await executor.calls[index]!.complete();
      await settle();
    }
    expect(engine.resultJson(job.id)).toBe('{"kind":"filter","items":[2,4,8]}');
  });

  it("map over a range sends range slices and keeps their order", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit({ kind: "map", function: "square", input: { range: { start: 10, end: 0, step: -3 } }, options: { chunkSize: 2, concurrency: 2 } });
    expect(executor.calls.map((c) => c.task.source)).toEqual([{ range: { start: 10, step: -3, count: 2 } }, { range: { start: 4, step: -3, count: 2 } }]);
    await executor.calls[1]!.complete();
    await settle();
    await executor.calls[0]!.complete();
    await settle();
    expect(engine.resultJson(job.id)).toBe('{"kind":"map","items":[100,49,16,1]}');
  });

  it("fold combines partials in any order", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit({ kind: "fold", function: "sum", input: { range: { start: 1, end: 11 } }, options: { chunkSize: 3, concurrency: 4 } });
    expect(executor.calls).toHaveLength(4);
    for (const index of [3, 2, 1, 0]) {
      await executor.calls[index]!.complete();
      await settle();
    }
    expect(engine.resultJson(job.id)).toBe('{"kind":"fold","value":55}');
  });

  it("an empty input succeeds at once: map gives [], fold gives the identity", async () => {
    const { engine, executor } = makeEngine();
    const map = engine.submit(squares([])).job;
    const fold = engine.submit({ kind: "fold", function: "sum", input: { items: [] } }).job;
    await settle();
    expect(executor.calls).toEqual([]);
    expect(map.progress.totalChunks).toBe(0);
    expect(engine.resultJson(map.id)).toBe('{"kind":"map","items":[]}');
    expect(engine.resultJson(fold.id)).toBe('{"kind":"fold","value":0}');
  });

  it("mapreduce combines per key across chunks and sorts entries by key", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit({
      kind: "mapreduce",
      function: "tokenize",
      reducer: "sum",
      input: { items: ["b a", "c B", "a"] },
      options: { chunkSize: 1, concurrency: 3 },
    });
    expect(executor.calls.map((c) => c.task.reducer)).toEqual(["sum", "sum", "sum"]);
    for (const index of [2, 0, 1]) {
      await executor.calls[index]!.complete();
      await settle();
    }
    expect(JSON.parse(engine.resultJson(job.id))).toEqual({
      kind: "mapreduce",
      entries: [
        ["a", 2],
        ["b", 2],
        ["c", 1],
      ],
    });
  });

  it("mapreduce sorts numbers before strings, numbers ascending, strings by code unit", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit({ kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["x", "y"] }, options: { chunkSize: 1, concurrency: 2 } });
    executor.calls[1]!.resolve({ ok: true, kind: "mapreduce", entries: [[10, 1], ["b", 1], ["B", 1]] });
    await settle();
    executor.calls[0]!.resolve({ ok: true, kind: "mapreduce", entries: [["b", 2], [2, 1], [10, 4]] });
    await settle();
    expect(JSON.parse(engine.resultJson(job.id)).entries).toEqual([
      [2, 1],
      [10, 5],
      ["B", 1],
      ["b", 3],
    ]);
  });
});

describe("progress and the event log", () => {
  it("logs one progress event per chunk, counts never decrease, ids increase; then result and the terminal status", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit(squares(range(1, 5), 2, 3));
    const log = engine.events(job.id);
    const live: LoggedEvent[] = [];
    let closed = false;
    log.subscribe((event) => (event ? live.push(event) : (closed = true)));
    for (const index of [2, 0, 1]) {
      await executor.calls[index]!.complete();
      await settle();
    }
    const progress = live.filter((e) => e.event === "progress").map((e) => JSON.parse(e.data) as { jobId: string; progress: typeof job.progress });
    expect(progress.map((p) => [p.progress.completedChunks, p.progress.completedItems])).toEqual([
      [1, 1],
      [2, 3],
      [3, 5],
    ]);
    expect(progress.every((p) => p.jobId === job.id && p.progress.totalChunks === 3 && p.progress.totalItems === 5)).toBe(true);
    expect(live.map((e) => e.event)).toEqual(["progress", "progress", "progress", "result", "status"]);
    expect(closed).toBe(true);
    expect(log.closed).toBe(true);

    // The replayable log: progress compacted to the latest, ids strictly increasing.
    const all = log.since(0);
    expect(all.map((e) => e.event)).toEqual(["status", "status", "progress", "result", "status"]);
    for (let i = 1; i < all.length; i++) expect(all[i]!.id).toBeGreaterThan(all[i - 1]!.id);
    expect(all[0]!.id).toBe(1);
    expect(JSON.parse(all[0]!.data)).toMatchObject({ id: job.id, status: "accepted" });
    expect(JSON.parse(all[1]!.data)).toMatchObject({ id: job.id, status: "running" });
    expect(all[2]).toEqual(live[2]);
    expect(all[3]!.data).toBe(engine.resultJson(job.id));
    expect(JSON.parse(all.at(-1)!.data)).toEqual(JSON.parse(JSON.stringify(job)));
    expect(JSON.parse(all.at(-1)!.data)).toMatchObject({ status: "successful", progress: { completedChunks: 3, completedItems: 5 } });

    // Last-Event-ID replay.
    expect(log.since(all[1]!.id)).toEqual(all.slice(2));
    expect(log.since(all.at(-1)!.id)).toEqual([]);
  });

  it("events first read after the job ended still show the job as it was when each was logged", async () => {
    const { engine, executor, clock } = makeEngine();
    const { job } = engine.submit(squares([1, 2, 3], 2, 1));
    const log = engine.events(job.id);
    const unread: LoggedEvent[] = [];
    log.subscribe((event) => event && unread.push(event)); // keeps events without reading them
    await clock.advance(7);
    await executor.calls[0]!.complete();
    await settle();
    await clock.advance(7);
    await executor.calls[1]!.complete();
    await settle();
    expect(job.status).toBe("successful");
    expect(new Set([job.createdAt, job.startedAt, job.finishedAt]).size).toBeGreaterThan(1);
    const all = log.since(0);
    // Byte for byte what JSON.stringify of the live job gave at each moment (same key order).
    const { startedAt, finishedAt: _finishedAt, ...accepted } = job;
    const zero = { ...job.progress, completedChunks: 0, completedItems: 0 };
    expect(all[0]!.data).toBe(JSON.stringify({ ...accepted, status: "accepted", progress: zero }));
    expect(all[1]!.data).toBe(JSON.stringify({ ...accepted, status: "running", progress: zero, startedAt }));
    expect(unread.filter((e) => e.event === "progress").map((e) => JSON.parse(e.data))).toEqual([
      { jobId: job.id, progress: { completedChunks: 1, totalChunks: 2, completedItems: 2, totalItems: 3 } },
      { jobId: job.id, progress: { completedChunks: 2, totalChunks: 2, completedItems: 3, totalItems: 3 } },
    ]);
    expect(all.at(-1)!.data).toBe(JSON.stringify(job));
    expect(all[0]!.data).toBe(log.since(0)[0]!.data); // read twice, same text
  });

  it("a failed job's log ends with its error, then the failed status", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit({ kind: "map", function: "fail", input: { items: [1, -2] }, options: { chunkSize: 1, concurrency: 1 } });
    await executor.calls[0]!.complete();
    await settle();
    await executor.calls[1]!.complete();
    await settle();
    const all = engine.events(job.id).since(0);
    expect(all.map((e) => e.event)).toEqual(["status", "status", "progress", "error", "status"]);
    expect(JSON.parse(all[3]!.data)).toEqual(job.error);
    expect(JSON.parse(all[4]!.data)).toMatchObject({ status: "failed", progress: { completedChunks: 1, completedItems: 1 } });
    expectProblem(() => engine.resultJson(job.id), "job_failed", { jobId: job.id });
  });
});

describe("the first failing item fails the job", () => {
  it("with its index; sibling chunks are aborted and later chunks never start", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit({ kind: "map", function: "fail", input: { items: [1, 2, -3, 4, 5, -6, 7, 8] }, options: { chunkSize: 2, concurrency: 2 } });
    expect(executor.calls).toHaveLength(2);
    await executor.calls[1]!.complete();
    await settle();
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "item_failed", status: 422, itemIndex: 2, detail: "fail: -3", jobId: job.id });
    expect(executor.calls[0]!.signal.aborted).toBe(true);
    expect(executor.calls[0]!.state).toBe("aborted");
    await settle();
    expect(executor.calls).toHaveLength(2);
    expect(job.progress.completedChunks).toBe(0);
  });

  it("a chunk started after a sibling succeeded is aborted too; a late failure does not replace the first", async () => {
    const { engine, executor } = makeEngine();
    executor.honourAbort = false;
    const { job } = engine.submit({ kind: "map", function: "fail", input: { items: [1, 2, -3, 4, 5, -6, 7, 8] }, options: { chunkSize: 2, concurrency: 2 } });
    await executor.calls[0]!.complete();
    await settle();
    expect(executor.calls).toHaveLength(3);
    await executor.calls[1]!.complete();
    await settle();
    expect(job.error).toMatchObject({ code: "item_failed", itemIndex: 2 });
    expect(executor.calls[2]!.signal.aborted).toBe(true);
    // The aborted chunk reports its own failing item late: ignored.
    await executor.calls[2]!.complete();
    await settle();
    expect(job.error).toMatchObject({ code: "item_failed", itemIndex: 2 });
    expect(job.progress.completedChunks).toBe(1);
    expect(executor.calls).toHaveLength(3);
    expect(engine.events(job.id).since(0).filter((e) => e.event === "error")).toHaveLength(1);
  });

  it("a reducer's combine failing fails the job with item_failed", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit({ kind: "fold", function: "sum", input: { items: [1, 2] }, options: { chunkSize: 1, concurrency: 2 } });
    executor.calls[0]!.resolve({ ok: true, kind: "fold", value: Number.MAX_VALUE });
    await settle();
    executor.calls[1]!.resolve({ ok: true, kind: "fold", value: Number.MAX_VALUE });
    await settle();
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "item_failed", jobId: job.id });
    expect(job.error?.detail).toMatch(/sum's combine/);
    expect(job.error?.itemIndex).toBeUndefined();
  });
});

describe("result_too_large", () => {
  it("fails the job as soon as the gathered result passes maxResultChars, aborting the rest", async () => {
    const { engine, executor } = makeEngine({ maxResultChars: 10 });
    const { job } = engine.submit(squares(range(1, 8), 2, 2));
    await executor.calls[0]!.complete(); // "1,4": 4 chars with its separator
    await settle();
    await executor.calls[1]!.complete(); // "9,16": 9
    await settle();
    expect(job.status).toBe("running");
    expect(executor.calls).toHaveLength(4);
    await executor.calls[3]!.complete(); // "49,64": 15 > 10
    await settle();
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "result_too_large", status: 413, jobId: job.id });
    expect(executor.calls[2]!.state).toBe("aborted");
    expect(job.progress.completedChunks).toBe(2);
  });

  it("fails at once even when a sibling chunk ignores the abort and never answers", async () => {
    const { engine, clock, executor } = makeEngine({ maxResultChars: 4, maxRunningJobs: 1 });
    executor.honourAbort = false;
    const { job } = engine.submit(squares(range(1, 4), 2, 2, 1_000));
    const next = engine.submit(squares([9], 1, 1)).job;
    await executor.calls[1]!.complete(); // "9,16": 5 chars with its separator > 4
    await settle();
    expect(job.error).toMatchObject({ code: "result_too_large" });
    expect(executor.calls[0]!.state).toBe("pending");
    // The slot is free for the next job, and the timeout cannot overwrite the error.
    expect(next.status).toBe("running");
    await clock.advance(2_000);
    expect(job.error).toMatchObject({ code: "result_too_large" });
  });

  it("also checks the final JSON text (a fold's result)", async () => {
    const { engine, executor } = makeEngine({ maxResultChars: 20 });
    const { job } = engine.submit({ kind: "fold", function: "sum", input: { items: [1, 2] }, options: { chunkSize: 2 } });
    await executor.calls[0]!.complete();
    await settle();
    expect(job.error).toMatchObject({ code: "result_too_large" });
    expect(job.progress.completedChunks).toBe(1);
  });

  it("a result of exactly maxResultChars is kept", async () => {
    const { engine, executor } = makeEngine({ maxResultChars: '{"kind":"fold","value":3}'.length });
    const { job } = engine.submit({ kind: "fold", function: "sum", input: { items: [1, 2] }, options: { chunkSize: 2 } });
    await executor.calls[0]!.complete();
    await settle();
    expect(engine.resultJson(job.id)).toBe('{"kind":"fold","value":3}');
  });
});

describe("executor failures", () => {
  it("re-runs a chunk whose runChunk rejected, up to maxChunkRetries, then fails with worker_crashed", async () => {
    const { engine, executor } = makeEngine({ maxChunkRetries: 2 });
    const { job } = engine.submit(squares([1, 2, 3, 4], 2, 1));
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(executor.calls).toHaveLength(attempt);
      expect(executor.calls[attempt - 1]!.items).toEqual([1, 2]);
      expect(job.status).toBe("running");
      executor.calls[attempt - 1]!.reject(new Error("worker exited with code 1"));
      await settle();
    }
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "worker_crashed", jobId: job.id, detail: "Chunk 0 failed 3 times: worker exited with code 1" });
    expect(executor.calls).toHaveLength(3);
  });

  it("a chunk that crashes fewer times than allowed still succeeds", async () => {
    const { engine, executor } = makeEngine({ maxChunkRetries: 2 });
    const { job } = engine.submit(squares([1, 2, 3, 4], 2, 1));
    executor.calls[0]!.reject(new Error("crash"));
    await settle();
    executor.calls[1]!.reject(new Error("crash"));
    await settle();
    await executor.calls[2]!.complete();
    await settle();
    // The next chunk has its own retry budget.
    executor.calls[3]!.reject(new Error("crash"));
    await settle();
    await executor.calls[4]!.complete();
    await settle();
    expect(engine.resultJson(job.id)).toBe('{"kind":"map","items":[1,4,9,16]}');
    expect(job.progress.completedChunks).toBe(2);
  });

  it("ExecutorBusyError waits on the clock and retries without counting as a crash", async () => {
    const { engine, clock, executor } = makeEngine({ maxChunkRetries: 1 });
    const { job } = engine.submit(squares([3], 1, 1));
    for (let busy = 1; busy <= 5; busy++) {
      executor.calls[busy - 1]!.reject(new ExecutorBusyError());
      await settle();
      expect(executor.calls).toHaveLength(busy);
      await clock.advance(19);
      expect(executor.calls).toHaveLength(busy);
      await clock.advance(1);
      expect(executor.calls).toHaveLength(busy + 1);
    }
    expect(job.status).toBe("running");
    await executor.calls[5]!.complete();
    await settle();
    expect(engine.resultJson(job.id)).toBe('{"kind":"map","items":[9]}');
  });

  it("a job cancelled while its chunk waits out ExecutorBusyError is not retried", async () => {
    const { engine, clock, executor } = makeEngine();
    const { job } = engine.submit(squares([3], 1, 1));
    executor.calls[0]!.reject(new ExecutorBusyError());
    await settle();
    engine.cancel(job.id);
    await clock.advance(1_000);
    expect(executor.calls).toHaveLength(1);
    expect(job.status).toBe("dismissed");
  });

});
