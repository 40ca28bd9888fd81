// The test doubles themselves: engine tests are only as trustworthy as the clock they run on.
import { pause } from "@polybridge/core/engine";
import { describe, expect, it } from "vitest";
import { FakeClock, FakeExecutor, registry, settle } from "./fakes.js";

describe("FakeClock", () => {
  it("runs due timers in time order, ties in the order they were set, and only inside advance", async () => {
    const clock = new FakeClock(1_000);
    const ran: string[] = [];
    clock.setTimeout(() => ran.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => ran.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => ran.push(`c@${clock.now()}`), 20);
    const cleared = clock.setTimeout(() => ran.push("never"), 5);
    clock.clearTimeout(cleared);
    clock.clearTimeout(undefined);
    await settle();
    expect(ran).toEqual([]);
    await clock.advance(15);
    expect(ran).toEqual(["a@1010"]);
    expect(clock.now()).toBe(1_015);
    await clock.advance(5);
    expect(ran).toEqual(["a@1010", "b@1020", "c@1020"]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("runs a timer set by a timer when it falls due within the same advance", async () => {
    const clock = new FakeClock(0);
    const ran: number[] = [];
    clock.setTimeout(() => {
      ran.push(clock.now());
      clock.setTimeout(() => ran.push(clock.now()), 10);
    }, 10);
    await clock.advance(30);
    expect(ran).toEqual([10, 20]);
  });

  it("drives the engine's pause and resolves yield on a microtask", async () => {
    const clock = new FakeClock(0);
    let paused = false;
    void pause(clock, 50).then(() => (paused = true));
    await clock.advance(49);
    expect(paused).toBe(false);
    await clock.advance(1);
    expect(paused).toBe(true);
    let yielded = false;
    void clock.yield().then(() => (yielded = true));
    await Promise.resolve();
    expect(yielded).toBe(true);
  });
});

describe("FakeExecutor", () => {
  const task = { kind: "map" as const, fn: "square", offset: 4, source: { range: { start: 3, step: 2, count: 3 } } };

  it("records tasks, computes outcomes on demand and rejects on abort", async () => {
    const executor = new FakeExecutor(registry);
    const controller = new AbortController();
    const first = executor.runChunk(task, new AbortController().signal);
    const second = executor.runChunk(task, controller.signal);
    expect(executor.calls.map((c) => c.items)).toEqual([
      [3, 5, 7],
      [3, 5, 7],
    ]);
    await executor.calls[0]!.complete();
    await expect(first).resolves.toEqual({ ok: true, kind: "map", items: "9,25,49", count: 3 });
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(second).rejects.toBe(reason);
    expect(executor.calls.map((c) => c.state)).toEqual(["resolved", "aborted"]);
    expect(() => executor.calls[1]!.resolve({ ok: true, kind: "map", items: "", count: 0 })).toThrow(/already aborted/);
    expect(executor.pending()).toEqual([]);
  });

  it("with honourAbort off, keeps an aborted chunk pending for a late result", async () => {
    const executor = new FakeExecutor(registry);
    executor.honourAbort = false;
    const controller = new AbortController();
    const promise = executor.runChunk(task, controller.signal);
    controller.abort();
    expect(executor.calls[0]!.state).toBe("pending");
    executor.calls[0]!.reject(new Error("late"));
    await expect(promise).rejects.toThrow("late");
  });
});
