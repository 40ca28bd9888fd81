// The Chandy/Misra ring: what the monitor reports must be true of any run, for any seed.
import { diningPhilosophers, Mailbox, runDiningPhilosophers, type PhilosophersOutput } from "@polybridge/core/functions";
import { describe, expect, it } from "vitest";

const live = (): AbortSignal => new AbortController().signal;

/** Every invariant of docs/PROTOCOL.md, checked from the output alone. */
function expectInvariants(out: PhilosophersOutput, n: number, meals: number): void {
  expect(out.philosophers).toBe(n);
  expect(out.meals).toEqual(new Array(n).fill(meals));
  expect(out.maxNeighboursEating).toBe(0);
  expect(out.messages).toBeGreaterThanOrEqual(2 * (n === 2 ? 1 : n));
  expect(out.log).toHaveLength(n * meals);
  const ticks = out.log.flatMap(([, s, e]) => [s, e]);
  expect(new Set(ticks).size).toBe(ticks.length);
  expect(ticks.every((t) => Number.isInteger(t))).toBe(true);
  for (let k = 1; k < out.log.length; k++) expect(out.log[k]![1]).toBeGreaterThan(out.log[k - 1]![1]);
  // Nobody overlaps itself or a neighbour.
  const byPhilosopher = Array.from({ length: n }, (_, i) => out.log.filter(([p]) => p === i));
  for (const [i, s, e] of out.log) {
    expect(s).toBeLessThan(e);
    for (const j of new Set([i, (i + 1) % n, (i + n - 1) % n])) {
      for (const [, s2, e2] of byPhilosopher[j]!) if (j !== i || s2 !== s) expect(e2 < s || s2 > e, `${i}@[${s},${e}] vs ${j}@[${s2},${e2}]`).toBe(true);
    }
  }
}

describe("diningPhilosophers", () => {
  it.each([
    [2, 3],
    [3, 3],
    [5, 3],
    [64, 3],
    [1000, 1],
    [7, 40],
  ])("%i philosophers, %i meals: everyone eats, no neighbours together, forks travel", async (n, meals) => {
    for (const seed of [0, 1, 99]) expectInvariants(await runDiningPhilosophers({ philosophers: n, meals, seed }, live()), n, meals);
  });

  it("varies the interleaving with the seed, and repeats it for the same seed", async () => {
    const logs = await Promise.all([1, 2, 3, 4].map(async (seed) => JSON.stringify((await runDiningPhilosophers({ philosophers: 9, meals: 5, seed }, live())).log)));
    expect(new Set(logs).size).toBeGreaterThan(1);
    const again = await runDiningPhilosophers({ philosophers: 9, meals: 5, seed: 1 }, live());
    expect(JSON.stringify(again.log)).toBe(logs[0]);
  });

  it("stops every actor and every timer when the signal aborts, rejecting with its reason", async () => {
    const controller = new AbortController();
    const reason = new Error("cancelled by the test");
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const run = runDiningPhilosophers({ philosophers: 1000, meals: 100 }, controller.signal);
    setTimeout(() => controller.abort(reason), 20);
    const started = performance.now();
    await expect(run).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(2_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length).toBeLessThanOrEqual(timersBefore);
  });

  it("rejects at once for a signal that is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    await expect(runDiningPhilosophers({ philosophers: 3, meals: 1 }, controller.signal)).rejects.toThrow("too late");
  });

  it("runs through its definition, whose schema takes 2..1000 philosophers, 1..100 meals, a seed >= 0 and nothing else", async () => {
    expect(diningPhilosophers).toMatchObject({ name: "diningPhilosophers", kind: "unary" });
    expect(diningPhilosophers.inline).toBeUndefined();
    const input = diningPhilosophers.input;
    expect(input.safeParse({ philosophers: 2, meals: 1 }).success).toBe(true);
    expect(input.safeParse({ philosophers: 1000, meals: 100, seed: 5 }).success).toBe(true);
    for (const bad of [{ philosophers: 1, meals: 1 }, { philosophers: 1001, meals: 1 }, { philosophers: 3, meals: 0 }, { philosophers: 3, meals: 101 }, { philosophers: 3, meals: 1, seed: -1 }, { philosophers: 3, meals: 1, forks: 3 }, { philosophers: 2.5, meals: 1 }]) {
      expect(input.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    const out = (await diningPhilosophers.run({ philosophers: 4, meals: 2 }, { signal: live() })) as PhilosophersOutput;
    expectInvariants(out, 4, 2);
    expect(diningPhilosophers.output.safeParse(out).success).toBe(true);
  });
});

describe("Mailbox", () => {
  it("delivers in order to one waiting reader, drains without waiting, and fails pending and later receives", async () => {
    const box = new Mailbox<number>();
    box.send(1);
    box.send(2);
    expect(await box.receive()).toBe(1);
    const waiting = box.receive();
    expect(await waiting).toBe(2);
    const pending = box.receive();
    box.send(3);
    expect(await pending).toBe(3);
    box.send(4);
    box.send(5);
    expect(box.drain()).toEqual([4, 5]);
    const stuck = box.receive();
    box.fail(new Error("stop"));
    await expect(stuck).rejects.toThrow("stop");
    await expect(box.receive()).rejects.toThrow("stop");
  });
});
