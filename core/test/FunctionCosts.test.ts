import { FunctionCosts } from "@polybridge/core/engine";
import { describe, expect, it } from "vitest";

describe("FunctionCosts", () => {
  it("allows the main thread only after enough cheap measurements, and only for small enough work", () => {
    const costs = new FunctionCosts();
    for (let i = 0; i < 7; i++) costs.measured("call f", 0.001);
    expect(costs.canInline("call f", 1)).toBe(false); // 7 samples
    costs.measured("call f", 0.001);
    expect(costs.canInline("call f", 1)).toBe(true);
    expect(costs.canInline("call f", 500)).toBe(true); // 0.5 ms predicted
    expect(costs.canInline("call f", 600)).toBe(false);
    expect(costs.canInline("call g", 1)).toBe(false); // never measured
  });

  it("sends a function back to the workers for good after three slow runs here", () => {
    const costs = new FunctionCosts();
    for (let i = 0; i < 8; i++) costs.measured("map f ", 0.001);
    costs.ranInline("map f ", 10, 0.02);
    expect(costs.canInline("map f ", 10)).toBe(true);
    costs.ranInline("map f ", 10, 6);
    costs.ranInline("map f ", 10, 6);
    expect(costs.canInline("map f ", 10)).toBe(true); // two strikes
    costs.ranInline("map f ", 10, 6);
    for (let i = 0; i < 20; i++) costs.measured("map f ", 0.0001);
    expect(costs.canInline("map f ", 1)).toBe(false);
  });

  it("forgives a strike after 1,000 quick runs: pauses now and then never add up to a demotion", () => {
    const costs = new FunctionCosts();
    for (let i = 0; i < 8; i++) costs.measured("call f", 0.002);
    // A GC pause or a descheduled thread every 1,500 runs, over 9,000 runs under load.
    for (let run = 1; run <= 9_000; run++) costs.ranInline("call f", 1, run % 1_500 === 0 ? 8 : 0.003);
    expect(costs.canInline("call f", 1)).toBe(true);
    // A function slow on one input in a hundred is still sent back to the workers.
    for (let run = 1; run <= 300; run++) costs.ranInline("call f", 1, run % 100 === 0 ? 8 : 0.003);
    expect(costs.canInline("call f", 1)).toBe(false);
  });

  it("smooths measurements and follows a function that becomes slow", () => {
    const costs = new FunctionCosts();
    costs.measured("k", 1);
    costs.measured("k", 2);
    expect(costs.itemMs("k")).toBeCloseTo(1.3);
    for (let i = 0; i < 30; i++) costs.measured("k", 0.001);
    expect(costs.canInline("k", 1)).toBe(true);
    costs.measured("k", 5); // one descheduled run does not count for much…
    expect(costs.canInline("k", 1)).toBe(true);
    for (let i = 0; i < 30; i++) costs.measured("k", 5); // …but a function that stays slow does
    expect(costs.canInline("k", 1)).toBe(false);
  });
});
