import { describe, expect, it } from "vitest";
import type { WireRequest } from "../src/HttpSession.js";
import { NotExpressible } from "../src/sdk/NotExpressible.js";
import { sdkSkipReason } from "../src/sdk/sdkSkipReason.js";
import { toSdkCall } from "../src/sdk/toSdkCall.js";
import type { ConformanceCase } from "../src/loadCases.js";

describe("toSdkCall maps wire requests onto typed SDK operations", () => {
  it.each<[string, WireRequest, object]>([
    ["a path parameter, decoded", { method: "GET", path: "/v1/jobs/job%20a/result" }, { operationId: "getJobResult", path: { id: "job a" } }],
    ["query parameters, repeated ones as a list", { method: "GET", path: "/v1/jobs?status=running&status=accepted&limit=2" }, { operationId: "listJobs", query: { status: ["running", "accepted"], limit: "2" } }],
    ["declared headers, lower-cased", { method: "POST", path: "/v1/jobs", headers: { Prefer: "wait=5", "Idempotency-Key": "k" }, body: {} }, { operationId: "submitJob", headers: { prefer: "wait=5", "idempotency-key": "k" }, body: {} }],
    ["the SDK's own media type", { method: "POST", path: "/v1/functions/echo/call", headers: { "Content-Type": "application/json" }, body: { input: 1 } }, { operationId: "callFunction", path: { name: "echo" }, headers: {} }],
    ["Last-Event-ID on the event stream", { method: "GET", path: "/v1/jobs/j/events", headers: { "Last-Event-ID": 3 } }, { operationId: "streamJobEvents", headers: { "last-event-id": "3" } }],
  ])("%s", (_name, req, expected) => {
    expect(toSdkCall(req)).toMatchObject(expected);
  });

  it.each<[WireRequest, RegExp]>([
    [{ method: "POST", path: "/v1/jobs", bodyRaw: "{" }, /bodyRaw/],
    [{ method: "POST", path: "/v1/jobs", bodyBytes: 100 }, /bodyBytes/],
    [{ method: "PATCH", path: "/v1/jobs/j" }, /PATCH \/v1\/jobs\/j is not an operation of the spec/],
    [{ method: "GET", path: "/v1/jobs/%E0%A4%A" }, /not valid percent-encoding/],
    [{ method: "GET", path: "/v1/jobs?page=2" }, /query parameter 'page', which is not a parameter of listJobs/],
    [{ method: "GET", path: "/v1/health", headers: { "X-Trace": "1" } }, /header 'X-Trace', which is not a parameter of getHealth/],
    [{ method: "POST", path: "/v1/functions/echo/call", headers: { "Content-Type": "text/plain" }, body: {} }, /the SDK always sends application\/json/],
    [{ method: "DELETE", path: "/v1/jobs/j", body: {} }, /cancelJob, which takes none/],
    [{ method: "POST", path: "/v1/jobs" }, /submitJob, which requires one/],
  ])("refuses %j", (req, reason) => {
    expect(() => toSdkCall(req)).toThrow(NotExpressible);
    expect(() => toSdkCall(req)).toThrow(reason);
  });
});

describe("sdkSkipReason decides by rule, before anything is sent", () => {
  const make = (steps: unknown[], fin: unknown[] = []): ConformanceCase =>
    ({ id: "x.y", requirement: "a requirement", file: "x.yaml", exclusive: false, timeoutMs: 1000, steps, finally: fin }) as ConformanceCase;

  it("runs cases whose requests, headers and captures the SDK can express", () => {
    expect(sdkSkipReason(make([
      { request: { method: "POST", path: "/v1/jobs", headers: { "Idempotency-Key": "k-${run}" }, body: { kind: "map" } }, expect: { headers: { "idempotent-replayed": "true", "Content-Type": { $any: true } } }, capture: { id: "body.id" } },
      { sse: { path: "/v1/jobs/${id}/events", headers: { "Last-Event-ID": "${last}" }, timeoutMs: 1000 }, expect: { closed: true } },
      { sleep: 10 },
    ]))).toBeUndefined();
  });

  it.each<[string, unknown[], unknown[], string]>([
    ["a header the SDK does not read", [{ request: { method: "GET", path: "/v1/health" }, expect: { headers: { Location: "/x" } } }], [], "step 1: expects response header 'location', which the SDK does not read"],
    ["a poll on such a header", [{ request: { method: "GET", path: "/v1/health" }, poll: { until: { headers: { "preference-applied": "x" } }, timeoutMs: 1, intervalMs: 1 } }], [], "step 1: polls for response header 'preference-applied', which the SDK does not read"],
    ["a capture of such a header", [{ sleep: 1 }, { request: { method: "GET", path: "/v1/health" }, capture: { l: "headers.location" } }], [], "step 2: captures response header 'location', which the SDK does not read"],
    ["heartbeats", [{ sse: { path: "/v1/jobs/j/events", timeoutMs: 1 }, expect: { heartbeats: { $gte: 1 } } }], [], "step 1: counts heartbeat comments, which the SDK does not surface"],
    ["an event stream read as a request", [{ request: { method: "GET", path: "/v1/jobs/${id}/events" } }], [], "step 1: reads an event stream with a request step; the SDK reads it with jobs.events (an sse step)"],
    ["an sse step on another operation", [{ sse: { path: "/v1/jobs/${id}", timeoutMs: 1 } }], [], "step 1: opens an event stream on getJob, which is not one"],
    ["a clean-up step", [{ sleep: 1 }], [{ request: { method: "POST", path: "/v1/jobs", bodyRaw: "{}" } }], "finally step 1: sends a raw body (bodyRaw); the SDK only sends JSON it serialises itself"],
  ])("skips %s", (_name, steps, fin, reason) => {
    expect(sdkSkipReason(make(steps, fin))).toBe(reason);
  });
});
