import { JobStop } from "@polybridge/core/engine";
import { expect, it } from "vitest";

it("makes its signal only when asked, aborted with the first reason if the stop already was", () => {
  const stop = new JobStop();
  const first = new Error("cancelled");
  stop.abort(first);
  stop.abort(new Error("later"));
  expect(stop.aborted).toBe(true);
  expect(stop.signal.aborted).toBe(true);
  expect(stop.signal.reason).toBe(first);
});

it("fires a signal made before the abort, and calls its callback once", () => {
  const stop = new JobStop();
  const { signal } = stop;
  const seen: string[] = [];
  signal.addEventListener("abort", () => seen.push("signal"));
  stop.onAbort(() => seen.push("callback"));
  expect(seen).toEqual([]);
  stop.abort("timeout");
  stop.abort("again");
  expect(seen).toEqual(["signal", "callback"]);
  expect(signal.reason).toBe("timeout");
});

it("forgets a removed callback; holds one at a time", () => {
  const stop = new JobStop();
  let called = 0;
  const forget = stop.onAbort(() => called++);
  expect(() => stop.onAbort(() => undefined)).toThrow(/already/);
  forget();
  const again = stop.onAbort(() => (called += 10));
  forget(); // a stale removal leaves the new callback alone
  stop.abort();
  expect(called).toBe(10);
  again();
});
