// JobEngine: cancel, timeout, the queue, TTL, store budgets, the memory guard, idempotency,
// forced outcomes, listing, wait, drain and dispose. Fake clock and executor: see fakes.ts.
import { runChunk, type ForcedOutcome, type LoggedEvent } from "@polybridge/core/engine";
import { problem, type Job } from "@polybridge/core";
import { afterEach, describe, expect, it } from "vitest";
import { completeAll, disposeAll, expectProblem, makeEngine, registry, settle, squares } from "./fakes.js";

afterEach(disposeAll);

const SMALL_RESULT = '{"kind":"map","items":[1,4]}';

describe("cancel", () => {
  it("while chunks are in flight: dismissed at once, chunks aborted, later chunks never start", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit(squares([1, 2, 3, 4, 5, 6], 2, 2));
    expect(executor.calls).toHaveLength(2);
    const cancelled = engine.cancel(job.id);
    expect(cancelled).toBe(job);
    expect(job.status).toBe("dismissed");
    expect(job.error).toMatchObject({ code: "job_cancelled", jobId: job.id });
    expect(job.finishedAt).toBeDefined();
    expect(executor.calls.map((c) => c.state)).toEqual(["aborted", "aborted"]);
    await settle();
    expect(executor.calls).toHaveLength(2);
    expectProblem(() => engine.resultJson(job.id), "job_dismissed", { jobId: job.id });
    const log = engine.events(job.id);
    expect(log.closed).toBe(true);
    expect(log.since(0).map((e) => e.event)).toEqual(["status", "status", "error", "status"]);
    expect(JSON.parse(log.since(0)[2]!.data)).toMatchObject({ code: "job_cancelled" });
    expect(engine.counts()).toEqual({ queued: 0, running: 0, stored: 1 });
  });

  it("chunks that resolve after the cancel (a worker ignoring the signal) change neither the job nor its result", async () => {
    const { engine, executor } = makeEngine();
    executor.honourAbort = false;
    const { job } = engine.submit(squares([1, 2, 3, 4, 5, 6], 2, 2));
    engine.cancel(job.id);
    const before = JSON.stringify(job);
    const events = engine.events(job.id).since(0);
    await executor.calls[1]!.complete();
    await settle();
    await executor.calls[0]!.complete();
    await settle();
    expect(JSON.stringify(job)).toBe(before);
    expect(job.progress.completedChunks).toBe(0);
    expect(engine.events(job.id).since(0)).toEqual(events);
    expect(executor.calls).toHaveLength(2);
    expectProblem(() => engine.resultJson(job.id), "job_dismissed");
  });

  it("a chunk resolved in the same tick as the cancel is not counted", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit(squares([1, 2], 2, 1));
    const chunk = executor.calls[0]!;
    const outcome = await runChunk(registry, chunk.task, new AbortController().signal);
    chunk.resolve(outcome);
    engine.cancel(job.id);
    await settle();
    expect(job.status).toBe("dismissed");
    expect(job.progress.completedChunks).toBe(0);
    expectProblem(() => engine.resultJson(job.id), "job_dismissed");
  });

  it("of a queued job: dismissed without starting, its chunks never run", async () => {
    const { engine, executor } = makeEngine({ maxRunningJobs: 1 });
    const a = engine.submit(squares([1, 2])).job;
    const b = engine.submit(squares([3, 4])).job;
    expect(b.status).toBe("accepted");
    expect(engine.counts()).toMatchObject({ queued: 1, running: 1 });
    engine.cancel(b.id);
    expect(b.status).toBe("dismissed");
    expect(b.startedAt).toBeUndefined();
    expect(engine.counts()).toMatchObject({ queued: 0, running: 1 });
    await completeAll(executor);
    expect(a.status).toBe("successful");
    expect(b.status).toBe("dismissed");
    expect(executor.calls.map((c) => c.items)).toEqual([[1, 2]]);
    expect(engine.events(b.id).since(0).map((e) => e.event)).toEqual(["status", "error", "status"]);
  });

  it("twice: the second answers the same dismissed job and logs nothing new", async () => {
    const { engine } = makeEngine();
    const { job } = engine.submit(squares([1, 2]));
    engine.cancel(job.id);
    const events = engine.events(job.id).since(0);
    const finishedAt = job.finishedAt;
    expect(engine.cancel(job.id)).toBe(job);
    expect(job.status).toBe("dismissed");
    expect(job.finishedAt).toBe(finishedAt);
    expect(engine.events(job.id).since(0)).toEqual(events);
  });

  it("of a finished job is job_already_finished; of an unknown or another tenant's job, job_not_found", async () => {
    const { engine, executor } = makeEngine();
    const ok = engine.submit(squares([1, 2])).job;
    const bad = engine.submit({ kind: "map", function: "fail", input: { items: [-1] } }).job;
    await completeAll(executor);
    expect([ok.status, bad.status]).toEqual(["successful", "failed"]);
    expectProblem(() => engine.cancel(ok.id), "job_already_finished", { jobId: ok.id });
    expectProblem(() => engine.cancel(bad.id), "job_already_finished", { jobId: bad.id });
    expect(ok.status).toBe("successful");
    expectProblem(() => engine.cancel("job_nope"), "job_not_found");
    expectProblem(() => engine.cancel(ok.id, "someone-else"), "job_not_found");
  });
});

describe("timeout", () => {
  it("fails the job with job_timeout exactly when timeoutMs has passed, aborting chunks in flight", async () => {
    const { engine, clock, executor } = makeEngine();
    const start = clock.now();
    const { job } = engine.submit(squares([1, 2, 3, 4, 5, 6], 2, 2, 1_000));
    await executor.calls[0]!.complete();
    await settle();
    await clock.advance(999);
    expect(job.status).toBe("running");
    expect(executor.pending()).toHaveLength(2);
    await clock.advance(1);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "job_timeout", jobId: job.id });
    expect(job.error?.detail).toContain("1000 ms");
    expect(job.finishedAt).toBe(new Date(start + 1_000).toISOString());
    expect(executor.calls.slice(1).map((c) => c.state)).toEqual(["aborted", "aborted"]);
    await settle();
    expect(executor.calls).toHaveLength(3);
    expect(job.progress.completedChunks).toBe(1);
  });

  it("counts from when the job starts running, not from when it was queued", async () => {
    const { engine, clock, executor } = makeEngine({ maxRunningJobs: 1 });
    const a = engine.submit(squares([1, 2])).job;
    const b = engine.submit(squares([3, 4], 2, 2, 1_000)).job;
    await clock.advance(5_000);
    expect(b.status).toBe("accepted");
    await executor.calls[0]!.complete();
    await settle();
    expect(a.status).toBe("successful");
    expect(b.status).toBe("running");
    expect(b.startedAt).toBe(new Date(clock.now()).toISOString());
    await clock.advance(999);
    expect(b.status).toBe("running");
    await clock.advance(1);
    expect(b.error).toMatchObject({ code: "job_timeout" });
  });

  it("a job that finishes in time leaves no timer behind; defaultTimeoutMs is echoed in options", async () => {
    const { engine, clock, executor } = makeEngine({ defaultTimeoutMs: 7_000, jobTtlMs: Number.POSITIVE_INFINITY });
    const { job } = engine.submit({ kind: "map", function: "square", input: { items: [1] } });
    expect(job.options.timeoutMs).toBe(7_000);
    expect(clock.pendingTimers).toBe(1);
    await completeAll(executor);
    expect(job.status).toBe("successful");
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(10_000);
    expect(job.status).toBe("successful");
  });
});

describe("the queue", () => {
  it("runs maxRunningJobs at once, queues maxQueuedJobs, refuses the rest with queue_full, starts the next when one finishes", async () => {
    const { engine, executor } = makeEngine({ maxRunningJobs: 2, maxQueuedJobs: 1 });
    const a = engine.submit(squares([1, 2])).job;
    const b = engine.submit(squares([3, 4])).job;
    const c = engine.submit(squares([5, 6])).job;
    expect([a.status, b.status, c.status]).toEqual(["running", "running", "accepted"]);
    let forcedCalls = 0;
    const forced = (): ForcedOutcome | undefined => {
      forcedCalls++;
      return undefined;
    };
    const refused = expectProblem(() => engine.submit(squares([7, 8]), undefined, "", forced), "queue_full", { retryAfterSeconds: 1 });
    expect(refused.status).toBe(503);
    expect(forcedCalls).toBe(0);
    expect(engine.counts()).toEqual({ queued: 1, running: 2, stored: 3 });
    expect(executor.calls.map((call) => call.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);

    await executor.calls[1]!.complete();
    await settle();
    expect(b.status).toBe("successful");
    expect(c.status).toBe("running");
    expect(executor.calls.at(-1)!.items).toEqual([5, 6]);
    expect(engine.counts()).toEqual({ queued: 0, running: 2, stored: 3 });
    const d = engine.submit(squares([7, 8]), undefined, "", forced).job;
    expect(d.status).toBe("accepted");
    expect(forcedCalls).toBe(1);

    await completeAll(executor);
    expect([a, b, c, d].map((j) => j.status)).toEqual(["successful", "successful", "successful", "successful"]);
    expect(engine.resultJson(d.id)).toBe('{"kind":"map","items":[49,64]}');
  });

  it("starts queued jobs in submission order, and a failed job frees its slot too", async () => {
    const { engine, executor } = makeEngine({ maxRunningJobs: 1 });
    const bad = engine.submit({ kind: "map", function: "fail", input: { items: [-1] } }).job;
    const first = engine.submit(squares([1])).job;
    const second = engine.submit(squares([2])).job;
    await executor.calls[0]!.complete();
    await settle();
    expect(bad.status).toBe("failed");
    expect([first.status, second.status]).toEqual(["running", "accepted"]);
    await completeAll(executor);
    expect(executor.calls.map((c) => c.items)).toEqual([[-1], [1], [2]]);
  });
});

describe("TTL", () => {
  it("the sweeper removes finished jobs after jobTtlMs of fake time, never running ones; their idempotency keys go with them", async () => {
    const { engine, clock, executor } = makeEngine({ jobTtlMs: 10_000, defaultTimeoutMs: 10_000_000 });
    const a = engine.submit(squares([1, 2], 2, 1), { key: "k", fingerprint: "f1" }).job;
    await completeAll(executor);
    expect(a.status).toBe("successful");
    const running = engine.submit(squares([3, 4])).job;
    await clock.advance(9_999);
    expect(engine.get(a.id)).toBe(a);
    expect(engine.submit(squares([1, 2], 2, 1), { key: "k", fingerprint: "f1" })).toEqual({ job: a, replayed: true });
    await clock.advance(1);
    expectProblem(() => engine.get(a.id), "job_not_found");
    expectProblem(() => engine.resultJson(a.id), "job_not_found");
    expect(engine.get(running.id).status).toBe("running");
    // The key went with its job: a different body under it is a new job, not a conflict.
    const again = engine.submit(squares([9]), { key: "k", fingerprint: "f2" });
    expect(again.replayed).toBe(false);
    expect(again.job.id).not.toBe(a.id);

    // A job finished at t=15 s outlives the sweep at 20 s and goes at 30 s.
    await clock.advance(5_000);
    executor.pending().find((c) => c.items[0] === 3)!.resolve({ ok: true, kind: "map", items: "9,16", count: 2 });
    await settle();
    expect(running.status).toBe("successful");
    await clock.advance(14_999);
    expect(engine.get(running.id).status).toBe("successful");
    await clock.advance(1);
    expectProblem(() => engine.get(running.id), "job_not_found");
    expect(engine.get(again.job.id).status).toBe("running");
  });

  it("sweep(now) removes exactly the jobs finished at least jobTtlMs before now", async () => {
    const { engine, clock, executor } = makeEngine({ jobTtlMs: 1_000, defaultTimeoutMs: 10_000_000 });
    const old = engine.submit(squares([1])).job;
    await completeAll(executor);
    await clock.advance(500);
    const young = engine.submit(squares([2])).job;
    await completeAll(executor);
    const pending = engine.submit(squares([3])).job;
    engine.sweep(clock.now() + 499);
    expect(engine.counts().stored).toBe(3);
    engine.sweep(clock.now() + 500);
    expectProblem(() => engine.get(old.id), "job_not_found");
    expect(engine.get(young.id)).toBe(young);
    engine.sweep(clock.now() + 1_000_000);
    expectProblem(() => engine.get(young.id), "job_not_found");
    expect(engine.get(pending.id)).toBe(pending);
  });
});

describe("store budgets", () => {
  async function finished(harness: ReturnType<typeof makeEngine>, items: number[] = [1, 2]): Promise<Job> {
    const { job } = harness.engine.submit(squares(items));
    await completeAll(harness.executor);
    expect(job.status).toBe("successful");
    return job;
  }

  const alive = (engine: ReturnType<typeof makeEngine>["engine"], job: Job): boolean => {
    try {
      return engine.get(job.id) === job;
    } catch {
      return false;
    }
  };

  it("maxStoredJobs evicts the oldest finished jobs, never running ones nor the newest", async () => {
    const h = makeEngine({ maxStoredJobs: 2 });
    const a = await finished(h);
    const b = await finished(h);
    const c = await finished(h);
    expect([a, b, c].map((j) => alive(h.engine, j))).toEqual([false, true, true]);
    expect(h.engine.counts().stored).toBe(2);

    const one = makeEngine({ maxStoredJobs: 1 });
    const x = await finished(one);
    const y = one.engine.submit(squares([3])).job;
    expect(alive(one.engine, x)).toBe(false);
    // Over the budget with nothing finished to evict: running and queued jobs stay.
    const z = one.engine.submit(squares([4])).job;
    expect([alive(one.engine, y), alive(one.engine, z)]).toEqual([true, true]);
    one.executor.pending()[0]!.resolve({ ok: true, kind: "map", items: "9", count: 1 });
    await settle();
    expect(y.status).toBe("successful");
    expect([alive(one.engine, y), alive(one.engine, z)]).toEqual([true, true]);
    one.executor.pending()[0]!.resolve({ ok: true, kind: "map", items: "16", count: 1 });
    await settle();
    expect([alive(one.engine, y), alive(one.engine, z)]).toEqual([false, true]);
  });

  it("keeps evicting in finish order over thousands of jobs, past jobs the TTL removed first", async () => {
    const h = makeEngine({ maxStoredJobs: 5, jobTtlMs: 60_000 });
    const early = [await finished(h), await finished(h)];
    await h.clock.advance(30_000);
    const jobs: Job[] = [];
    for (let i = 0; i < 3_000; i++) {
      jobs.push(await finished(h, [i]));
      // The TTL takes the two early jobs out from under the eviction order.
      if (i === 2) await h.clock.advance(30_000);
    }
    expect(early.map((j) => alive(h.engine, j))).toEqual([false, false]);
    expect(h.engine.counts().stored).toBe(5);
    expect(jobs.map((j) => alive(h.engine, j)).lastIndexOf(false)).toBe(2_994);
    expect(jobs.slice(-5).every((j) => alive(h.engine, j))).toBe(true);
    expect(h.engine.resultJson(jobs.at(-1)!.id)).toBe('{"kind":"map","items":[8994001]}');
  });

  it("maxStoredResultChars evicts the oldest finished results first and keeps the newest even when it alone is over", async () => {
    const h = makeEngine({ maxStoredResultChars: 2 * SMALL_RESULT.length + 4 });
    const a = await finished(h);
    const b = await finished(h);
    expect([alive(h.engine, a), alive(h.engine, b)]).toEqual([true, true]);
    const c = await finished(h);
    expect([a, b, c].map((j) => alive(h.engine, j))).toEqual([false, true, true]);
    expect(h.engine.resultJson(c.id)).toBe(SMALL_RESULT);

    const tiny = makeEngine({ maxStoredResultChars: 10 });
    const big = await finished(tiny);
    expect(tiny.engine.resultJson(big.id)).toBe(SMALL_RESULT);
    const bigger = await finished(tiny, [1, 2, 3]);
    expect([alive(tiny.engine, big), alive(tiny.engine, bigger)]).toEqual([false, true]);
  });

  it("maxStoredBytes evicts the oldest finished jobs when records and logs pass it, never running ones", async () => {
    // A record counts 4,096 bytes when submitted, plus its view and log when it finishes.
    const h = makeEngine({ maxStoredBytes: 2 * 4_096 });
    const a = await finished(h);
    expect(alive(h.engine, a)).toBe(true);
    const b = h.engine.submit(squares([3])).job;
    expect(alive(h.engine, a)).toBe(false);
    const c = h.engine.submit(squares([4])).job;
    expect([alive(h.engine, b), alive(h.engine, c)]).toEqual([true, true]);
    await completeAll(h.executor);
    expect([alive(h.engine, b), alive(h.engine, c)]).toEqual([false, true]);
  });

  it("default budgets come from the memory probe's limit (an eighth)", async () => {
    const h = makeEngine({ memory: () => ({ used: 0, limit: 8 * (2 * SMALL_RESULT.length + 4) }), maxStoredBytes: 1e12 });
    const a = await finished(h);
    const b = await finished(h);
    const c = await finished(h);
    expect([a, b, c].map((j) => alive(h.engine, j))).toEqual([false, true, true]);
  });

  it("a memory probe above half its limit makes submit evict the oldest half of finished jobs, then answer queue_full", async () => {
    const heap = { used: 0, limit: 2 ** 40 };
    const h = makeEngine({ memory: () => heap });
    const done = [await finished(h), await finished(h), await finished(h), await finished(h)];
    heap.used = heap.limit / 2;
    const n1 = h.engine.submit(squares([5])).job;
    expect(done.map((j) => alive(h.engine, j))).toEqual([false, false, true, true]);
    h.engine.submit(squares([6]));
    expect(done.map((j) => alive(h.engine, j))).toEqual([false, false, false, true]);
    h.engine.submit(squares([7]));
    expect(done.map((j) => alive(h.engine, j))).toEqual([false, false, false, false]);
    let forcedCalls = 0;
    expectProblem(
      () =>
        h.engine.submit(squares([8]), { key: "late", fingerprint: "f" }, "", () => {
          forcedCalls++;
          return undefined;
        }),
      "queue_full",
      { retryAfterSeconds: 2 },
    );
    expect(forcedCalls).toBe(0);
    expect(h.engine.get(n1.id).status).toBe("running");
    expect(h.engine.counts().stored).toBe(3);
    heap.used = heap.limit / 2 - 1;
    // The refused submission did not take the key.
    expect(h.engine.submit(squares([8]), { key: "late", fingerprint: "other" }).replayed).toBe(false);
  });
});

describe("idempotency", () => {
  it("the same key and fingerprint replay the same job; another fingerprint is idempotency_key_conflict", async () => {
    const { engine, executor } = makeEngine();
    let forcedCalls = 0;
    const forced = (): undefined => {
      forcedCalls++;
      return undefined;
    };
    const first = engine.submit(squares([1, 2]), { key: "k1", fingerprint: "fp" }, "", forced);
    expect(first.replayed).toBe(false);
    const replay = engine.submit(squares([1, 2]), { key: "k1", fingerprint: "fp" }, "", forced);
    expect(replay).toEqual({ job: first.job, replayed: true });
    expect(replay.job).toBe(first.job);
    expect(forcedCalls).toBe(1);
    expect(executor.calls).toHaveLength(1);
    expect(engine.counts().stored).toBe(1);
    const conflict = expectProblem(() => engine.submit(squares([1, 2, 3]), { key: "k1", fingerprint: "other" }), "idempotency_key_conflict");
    expect(conflict.status).toBe(422);

    await completeAll(executor);
    const late = engine.submit(squares([1, 2]), { key: "k1", fingerprint: "fp" });
    expect(late.replayed).toBe(true);
    expect(late.job.status).toBe("successful");
    expectProblem(() => engine.submit(squares([1]), { key: "k1", fingerprint: "other" }), "idempotency_key_conflict");
    // A different key is a new job.
    expect(engine.submit(squares([1, 2]), { key: "k2", fingerprint: "fp" }).replayed).toBe(false);
  });

  it("keys are per tenant, and a tenant sees only its own jobs", async () => {
    const { engine } = makeEngine();
    const mine = engine.submit(squares([1]), { key: "k", fingerprint: "a" }, "alice").job;
    const theirs = engine.submit(squares([2]), { key: "k", fingerprint: "b" }, "bob");
    expect(theirs.replayed).toBe(false);
    expect(theirs.job.id).not.toBe(mine.id);
    expect(engine.submit(squares([2]), { key: "k", fingerprint: "b" }, "bob")).toEqual({ job: theirs.job, replayed: true });
    expectProblem(() => engine.get(mine.id, "bob"), "job_not_found");
    expectProblem(() => engine.events(mine.id, "bob"), "job_not_found");
    expectProblem(() => engine.resultJson(mine.id), "job_not_found");
    expect(engine.list({}, "alice").jobs.map((j) => j.id)).toEqual([mine.id]);
    expect(engine.list({}, "bob").jobs.map((j) => j.id)).toEqual([theirs.job.id]);
    expect(engine.list({}).jobs).toEqual([]);
  });
});

describe("forced outcomes", () => {
  const items8 = (): ReturnType<typeof squares> => squares([1, 2, 3, 4, 5, 6, 7, 8], 2, 1, 1_000_000);

  it("accepted never starts and takes no running slot", async () => {
    const { engine, clock, executor } = makeEngine({ maxRunningJobs: 1 });
    const stuck = engine.submit(squares([1], 1, 1, 1_000), undefined, "", () => ({ status: "accepted" })).job;
    const next = engine.submit(squares([2])).job;
    expect(next.status).toBe("running");
    await completeAll(executor);
    await clock.advance(3_600_000);
    expect(stuck.status).toBe("accepted");
    expect(stuck.startedAt).toBeUndefined();
    expect(executor.calls.map((c) => c.items)).toEqual([[2]]);
    expect(engine.counts()).toMatchObject({ queued: 0, running: 0 });
    expect((await engine.wait(stuck.id, 0)).status).toBe("accepted");
    engine.cancel(stuck.id);
    expect(stuck.status).toBe("dismissed");
  });

  it("running never ends, not even past its timeoutMs, and runs no chunk", async () => {
    const { engine, clock, executor } = makeEngine();
    const { job } = engine.submit(squares([1, 2, 3], 1, 1, 1_000), undefined, "", () => ({ status: "running" }));
    expect(job.status).toBe("running");
    expect(job.startedAt).toBeDefined();
    await clock.advance(100_000);
    expect(job.status).toBe("running");
    expect(job.progress.completedChunks).toBe(0);
    expect(executor.calls).toEqual([]);
    engine.cancel(job.id);
    expect(job.status).toBe("dismissed");
  });

  it("failed paces through totalChunks-1 chunks on the clock, then fails with the given error", async () => {
    const { engine, clock, executor } = makeEngine({ chunkDelayMs: 100 });
    const error = problem("item_failed", "boom", { itemIndex: 5 });
    const { job } = engine.submit(items8(), undefined, "", () => ({ status: "failed", error }));
    const live: LoggedEvent[] = [];
    engine.events(job.id).subscribe((e) => e && live.push(e));
    for (let chunk = 1; chunk <= 3; chunk++) {
      await clock.advance(99);
      expect(job.progress.completedChunks).toBe(chunk - 1);
      await clock.advance(1);
      expect(job.progress.completedChunks).toBe(chunk);
    }
    expect(job.status).toBe("failed");
    expect(job.error).toEqual({ ...error, jobId: job.id });
    expect(job.progress).toMatchObject({ completedChunks: 3, completedItems: 6 });
    expect(live.map((e) => e.event)).toEqual(["progress", "progress", "progress", "error", "status"]);
    expect(executor.calls).toEqual([]);
  });

  it("failed without an error fails item 0 with a mocked failure; a one-chunk job fails at once", async () => {
    const { engine } = makeEngine();
    const { job } = engine.submit(squares([1, 2], 2, 1), undefined, "", () => ({ status: "failed" }));
    await settle();
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "item_failed", itemIndex: 0, detail: "Mocked failure.", jobId: job.id });
    expect(job.progress.completedChunks).toBe(0);
  });

  it("dismissed paces through totalChunks-1 chunks, then ends dismissed with job_cancelled", async () => {
    const { engine, clock } = makeEngine({ chunkDelayMs: 100 });
    const { job } = engine.submit(items8(), undefined, "", () => ({ status: "dismissed" }));
    await clock.advance(299);
    expect(job.status).toBe("running");
    expect(job.progress.completedChunks).toBe(2);
    await clock.advance(1);
    expect(job.status).toBe("dismissed");
    expect(job.progress.completedChunks).toBe(3);
    expect(job.error).toMatchObject({ code: "job_cancelled", jobId: job.id });
  });

  it("successful with a resultJson paces through every chunk and replaces the computed result", async () => {
    const { engine, clock, executor } = makeEngine({ chunkDelayMs: 100 });
    const resultJson = '{"kind":"map","items":[42]}';
    const { job } = engine.submit(items8(), undefined, "", () => ({ status: "successful", resultJson }));
    await clock.advance(399);
    expect(job.status).toBe("running");
    await clock.advance(1);
    expect(job.status).toBe("successful");
    expect(job.progress).toMatchObject({ completedChunks: 4, completedItems: 8 });
    expect(engine.resultJson(job.id)).toBe(resultJson);
    expect(executor.calls).toEqual([]);
  });

  it("successful without a resultJson computes the result as usual", async () => {
    const { engine, executor } = makeEngine();
    const { job } = engine.submit(squares([1, 2]), undefined, "", () => ({ status: "successful" }));
    await completeAll(executor);
    expect(engine.resultJson(job.id)).toBe(SMALL_RESULT);
  });
});

describe("listing, wait and startDelayMs", () => {
  it("lists newest first with cursors and a status filter; a foreign cursor is validation_failed", async () => {
    const { engine, executor } = makeEngine({ maxRunningJobs: 1 });
    const jobs = [1, 2, 3, 4, 5].map((n) => engine.submit(squares([n])).job);
    await executor.calls[0]!.complete();
    await settle();
    const ids = jobs.map((j) => j.id);
    const page1 = engine.list({ limit: 2 });
    expect(page1.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    const page2 = engine.list({ limit: 2, cursor: page1.nextCursor! });
    expect(page2.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const page3 = engine.list({ limit: 2, cursor: page2.nextCursor! });
    expect(page3).toEqual({ jobs: [jobs[0]], nextCursor: null });
    expect(engine.list({ status: "accepted" }).jobs.map((j) => j.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(engine.list({ status: "successful" }).jobs.map((j) => j.id)).toEqual([ids[0]]);
    expectProblem(() => engine.list({ cursor: "not-a-cursor!" }), "validation_failed");
  });

  it("wait resolves when the job ends, or after timeoutMs of fake time with the job as it is", async () => {
    const { engine, clock, executor } = makeEngine();
    const { job } = engine.submit(squares([1, 2]));
    const waited: Array<Job | undefined> = [undefined, undefined];
    void engine.wait(job.id, 5_000).then((j) => (waited[0] = j));
    await clock.advance(4_999);
    expect(waited[0]).toBeUndefined();
    await clock.advance(1);
    expect(waited[0]?.status).toBe("running");

    void engine.wait(job.id, 5_000).then((j) => (waited[1] = j));
    await clock.advance(1_000);
    expect(waited[1]).toBeUndefined();
    await completeAll(executor);
    expect(waited[1]?.status).toBe("successful");
    // The wait's own timer was cleared: only the TTL sweeper is left.
    expect(clock.pendingTimers).toBe(1);
  });

  it("startDelayMs holds a job accepted until its delay passes on the clock", async () => {
    const { engine, clock, executor } = makeEngine({ startDelayMs: 250 });
    const { job } = engine.submit(squares([1]));
    await clock.advance(249);
    expect(job.status).toBe("accepted");
    expect(executor.calls).toEqual([]);
    await clock.advance(1);
    expect(job.status).toBe("running");
    expect(executor.calls).toHaveLength(1);
  });
});

describe("drain and dispose", () => {
  it("drain(graceMs) refuses new jobs, lets work go on for the grace, then dismisses what is left", async () => {
    const { engine, clock, executor } = makeEngine({ maxRunningJobs: 1 });
    const a = engine.submit(squares([1])).job;
    const b = engine.submit(squares([2])).job;
    const stuck = engine.submit(squares([3]), undefined, "", () => ({ status: "accepted" })).job;
    let drained = false;
    void engine.drain(1_000).then(() => (drained = true));
    expect(engine.draining).toBe(true);
    expectProblem(() => engine.submit(squares([4])), "shutting_down", { retryAfterSeconds: 5 });
    await clock.advance(500);
    await executor.calls[0]!.complete();
    await settle();
    expect(a.status).toBe("successful");
    expect(b.status).toBe("running");
    await clock.advance(499);
    expect(drained).toBe(false);
    expect(b.status).toBe("running");
    await clock.advance(1);
    expect(drained).toBe(true);
    expect(a.status).toBe("successful");
    expect([b.status, stuck.status]).toEqual(["dismissed", "dismissed"]);
    expect(b.error).toMatchObject({ code: "job_cancelled", jobId: b.id });
    expect(b.error?.detail).toMatch(/shut down/);
    expect(executor.calls[1]!.state).toBe("aborted");
    expect(engine.counts()).toEqual({ queued: 0, running: 0, stored: 0 });
    expect(clock.pendingTimers).toBe(0);
  });

  it("drain resolves as soon as every job has finished, without waiting out the grace", async () => {
    const { engine, clock, executor } = makeEngine();
    const { job } = engine.submit(squares([1]));
    let drained = false;
    void engine.drain(60_000).then(() => (drained = true));
    await completeAll(executor);
    expect(job.status).toBe("successful");
    expect(drained).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it("dispose releases waiters and event listeners, aborts chunks and clears every timer", async () => {
    const { engine, clock, executor } = makeEngine();
    const { job } = engine.submit(squares([1, 2, 3, 4], 2, 2));
    let waited: Job | undefined;
    void engine.wait(job.id, 60_000).then((j) => (waited = j));
    let closed = false;
    engine.events(job.id).subscribe((e) => {
      if (e === null) closed = true;
    });
    await settle();
    engine.dispose();
    await settle();
    expect(waited).toBe(job);
    expect(closed).toBe(true);
    expect(executor.calls.map((c) => c.state)).toEqual(["aborted", "aborted"]);
    expect(clock.pendingTimers).toBe(0);
    expect(engine.counts()).toEqual({ queued: 0, running: 0, stored: 0 });
    expectProblem(() => engine.get(job.id), "job_not_found");
    expectProblem(() => engine.submit(squares([1])), "shutting_down");
  });
});
