import { describe, expect, it } from "vitest";
import { PolybridgeError, type ErrorCode } from "@polybridge/sdk";

const cases: Array<[string, unknown, ErrorCode, number | undefined, boolean]> = [
  ["a problem body", { type: "t", title: "Queue full", status: 503, code: "queue_full", retryAfterSeconds: 2 }, "queue_full", 503, true],
  ["a job error", { type: "t", title: "Item failed", status: 422, code: "item_failed", itemIndex: 3, jobId: "j9" }, "item_failed", 422, false],
  ["an unknown server code", { type: "t", title: "New", status: 418, code: "teapot" }, "unexpected_response", 418, false],
  ["an AbortError", new DOMException("stop", "AbortError"), "aborted", undefined, false],
  ["a TimeoutError", new DOMException("late", "TimeoutError"), "timeout", undefined, false],
  ["fetch's network TypeError", new TypeError("Failed to fetch"), "network", undefined, true],
  ["undici's socket error", Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }), "network", undefined, true],
  ["a plain Error", new Error("bug"), "unknown", undefined, false],
  ["a string", "oops", "unknown", undefined, false],
];

describe("PolybridgeError.from", () => {
  it.each(cases)("normalises %s", (_name, input, code, status, retryable) => {
    const err = PolybridgeError.from(input);
    expect(err).toBeInstanceOf(PolybridgeError);
    expect(err).toBeInstanceOf(Error);
    expect([err.code, err.status, err.retryable]).toEqual([code, status, retryable]);
  });

  it("returns a PolybridgeError unchanged and survives a JSON round trip", () => {
    const original = PolybridgeError.from({ type: "t", title: "Item failed", status: 422, code: "item_failed", jobId: "j9", detail: "x" });
    expect(PolybridgeError.from(original)).toBe(original);
    const rebuilt = PolybridgeError.from(JSON.parse(JSON.stringify(original)));
    expect([rebuilt.code, rebuilt.status, rebuilt.jobId, rebuilt.message]).toEqual(["item_failed", 422, "j9", "Item failed: x"]);
    expect(original.retryAfterMs).toBeUndefined();
    expect(PolybridgeError.from({ type: "t", title: "Full", status: 503, code: "queue_full", retryAfterSeconds: 2 }).retryAfterMs).toBe(2000);
  });

  it("knows the spec's closed list of codes", () => {
    expect(PolybridgeError.isServerCode("job_timeout")).toBe(true);
    expect(PolybridgeError.isServerCode("timeout")).toBe(false);
    expect(PolybridgeError.is(PolybridgeError.from(new Error("x")), "unknown")).toBe(true);
    expect(PolybridgeError.is(new Error("x"))).toBe(false);
  });
});
