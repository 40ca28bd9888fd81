import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient, parseSse } from "../helpers/contractClient.js";

let server: RunningServer;
let api: ReturnType<typeof contractClient>;

beforeAll(async () => {
  server = await startServer({ port: 0, workers: 2, heartbeatMs: 200 });
  api = contractClient(server.url);
});
afterAll(() => server.close(1_000));

const job = (kind: string, fn: string, input: unknown, extra: Record<string, unknown> = {}) => ({ kind, function: fn, input, ...extra });
const wait = { prefer: "wait=30" };

describe("health and catalogue", () => {
  it("reports health", async () => {
    const r = await api.get("/v1/health");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "ok", workers: 2, jobs: { queued: 0 } });
  });

  it("lists functions sorted, with kinds and JSON Schemas", async () => {
    const r = await api.get("/v1/functions");
    const names = r.body.functions.map((f: { name: string }) => f.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["echo", "square", "isEven", "sum", "tokenize", "fail", "sleep", "isPrime", "countPrimes", "sha256", "wordFrequency"]));
    const sum = r.body.functions.find((f: { name: string }) => f.name === "sum");
    expect(sum).toMatchObject({ kind: "reducer", identity: 0, inputSchema: { type: "number" } });
  });

  it("describes one function and 404s an unknown one", async () => {
    expect((await api.get("/v1/functions/sleep")).body.inputSchema).toMatchObject({ type: "integer", minimum: 0, maximum: 10000 });
    const missing = await api.get("/v1/functions/nope");
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("function_not_found");
  });
});

describe("sync call", () => {
  it("calls unary, reducer and emitter functions", async () => {
    expect((await api.post("/v1/functions/square/call", { input: 12 })).body).toMatchObject({ function: "square", output: 144 });
    expect((await api.post("/v1/functions/sum/call", { input: [40, 2] })).body.output).toBe(42);
    expect((await api.post("/v1/functions/tokenize/call", { input: "A b, a" })).body.output).toEqual([["a", 1], ["b", 1], ["a", 1]]);
    expect((await api.post("/v1/functions/sha256/call", { input: { data: "abc" } })).body.output).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("rejects invalid input with the offending path", async () => {
    const r = await api.post("/v1/functions/square/call", { input: "x" });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("validation_failed");
    expect(r.body.errors[0].path).toBe("/input");
  });

  it("reports a throwing function as 422 function_failed and a slow one as 504", async () => {
    const failed = await api.post("/v1/functions/fail/call", { input: "boom" });
    expect([failed.status, failed.body.code, failed.body.detail]).toEqual([422, "function_failed", 'fail: "boom"']);
    const slow = await api.post("/v1/functions/sleep/call", { input: 5_000, timeoutMs: 100 });
    expect([slow.status, slow.body.code]).toEqual([504, "call_timeout"]);
    // The pool still serves after the timed-out worker was replaced.
    expect((await api.post("/v1/functions/square/call", { input: 3 })).body.output).toBe(9);
  });
});

describe("jobs of every kind", () => {
  it.each([
    ["map items", job("map", "square", { items: [3, 1, 2] }, { options: { chunkSize: 1 } }), { kind: "map", items: [9, 1, 4] }],
    ["map range", job("map", "square", { range: { start: 0, end: 5 } }), { kind: "map", items: [0, 1, 4, 9, 16] }],
    ["map negative step", job("map", "echo", { range: { start: 5, end: 0, step: -2 } }), { kind: "map", items: [5, 3, 1] }],
    ["filter items", job("filter", "isEven", { items: [1, 2, 3, 4, 6] }, { options: { chunkSize: 2 } }), { kind: "filter", items: [2, 4, 6] }],
    ["filter range", job("filter", "isPrime", { range: { start: 0, end: 30 } }), { kind: "filter", items: [2, 3, 5, 7, 11, 13, 17, 19, 23, 29] }],
    ["fold items", job("fold", "sum", { items: [1, 2, 3, 4] }, { options: { chunkSize: 1 } }), { kind: "fold", value: 10 }],
    ["fold range", job("fold", "sum", { range: { start: 1, end: 101 } }), { kind: "fold", value: 5050 }],
    ["fold empty", job("fold", "sum", { items: [] }), { kind: "fold", value: 0 }],
    ["fold countPrimes", job("fold", "countPrimes", { range: { start: 0, end: 100_000 } }), { kind: "fold", value: 9592 }],
    ["fold wordFrequency", job("fold", "wordFrequency", { items: ["a b", "b"] }), { kind: "fold", value: { a: 1, b: 2 } }],
    [
      "mapreduce",
      job("mapreduce", "tokenize", { items: ["the cat", "The dog", "a cat"] }, { reducer: "sum", options: { chunkSize: 1 } }),
      { kind: "mapreduce", entries: [["a", 1], ["cat", 2], ["dog", 1], ["the", 2]] },
    ],
    ["map empty", job("map", "square", { range: { start: 3, end: 3 } }), { kind: "map", items: [] }],
  ])("%s", async (_name, request, expected) => {
    const r = await api.post("/v1/jobs", request, wait);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("successful");
    expect(r.body.result).toEqual(expected);
    expect((await api.get(`/v1/jobs/${r.body.id}/result`)).body).toEqual(expected);
  });

  it("keeps map order over many small chunks", async () => {
    const items = Array.from({ length: 500 }, (_, i) => 499 - i);
    const r = await api.post("/v1/jobs", job("map", "square", { items }, { options: { chunkSize: 7, concurrency: 2 } }), wait);
    expect(r.body.result.items).toEqual(items.map((x) => x * x));
    expect(r.body.progress).toEqual({ completedChunks: 72, totalChunks: 72, completedItems: 500, totalItems: 500 });
    expect(r.body.options).toEqual({ chunkSize: 7, concurrency: 2, timeoutMs: 300_000 });
  });

  it("fails a job at the first failing item, with its index", async () => {
    const r = await api.post("/v1/jobs", job("map", "fail", { items: [0, 1, 2, -1, 4] }, { options: { chunkSize: 1 } }), wait);
    expect(r.body.status).toBe("failed");
    expect(r.body.error).toMatchObject({ code: "item_failed", itemIndex: 3, detail: "fail: -1" });
    const result = await api.get(`/v1/jobs/${r.body.id}/result`);
    expect([result.status, result.body.code]).toEqual([409, "job_failed"]);
  });

  it("fails an item that does not match the input schema", async () => {
    const r = await api.post("/v1/jobs", job("map", "square", { items: [1, "two"] }), wait);
    expect(r.body.error).toMatchObject({ code: "item_failed", itemIndex: 1 });
  });

  it("rejects a range the function cannot take, and wrong kinds", async () => {
    const range = await api.post("/v1/jobs", job("map", "tokenize", { range: { start: 0, end: 3 } }));
    expect([range.status, range.body.code]).toEqual([400, "function_kind_mismatch"]);
    const strings = await api.post("/v1/jobs", job("mapreduce", "tokenize", { range: { start: 0, end: 3 } }, { reducer: "sum" }));
    expect([strings.status, strings.body.code, strings.body.errors[0].path]).toEqual([400, "validation_failed", "/input/range/start"]);
    const reducer = await api.post("/v1/jobs", job("mapreduce", "tokenize", { items: [] }, { reducer: "nope" }));
    expect([reducer.status, reducer.body.code]).toEqual([404, "function_not_found"]);
  });
});

describe("Prefer and idempotency", () => {
  it("answers 202 at once without Prefer, and with respond-async", async () => {
    const plain = await api.post("/v1/jobs", job("map", "sleep", { items: [300] }));
    expect(plain.status).toBe(202);
    expect(plain.headers.get("location")).toBe(`/v1/jobs/${plain.body.id}`);
    expect(plain.headers.get("retry-after")).toBe("1");
    expect(plain.headers.get("preference-applied")).toBeNull();
    const running = await api.get(`/v1/jobs/${plain.body.id}`);
    expect(running.headers.get("retry-after")).toBe("1");
    const notReady = await api.get(`/v1/jobs/${plain.body.id}/result`);
    expect([notReady.status, notReady.body.code, notReady.headers.get("retry-after")]).toEqual([409, "result_not_ready", "1"]);
    const asyncReply = await api.post("/v1/jobs", job("map", "square", { items: [1] }), { prefer: "respond-async" });
    expect([asyncReply.status, asyncReply.headers.get("preference-applied")]).toEqual([202, "respond-async"]);
    const done = await api.settle(plain.body.id);
    expect(done.headers.get("retry-after")).toBeNull();
  });

  it("waits with wait=N, capped at 60, and answers 202 when the wait runs out", async () => {
    const capped = await api.post("/v1/jobs", job("map", "square", { items: [2] }), { prefer: "wait=600" });
    expect([capped.status, capped.headers.get("preference-applied")]).toEqual([200, "wait=60"]);
    const short = await api.post("/v1/jobs", job("map", "sleep", { items: [2_500] }), { prefer: "wait=1" });
    expect([short.status, short.body.status]).toEqual([202, "running"]);
    expect(short.body.result).toBeUndefined();
  });

  it("replays the same key and body, and rejects the same key with another body", async () => {
    const key = { "idempotency-key": `k-${Date.now()}` };
    const first = await api.post("/v1/jobs", job("map", "square", { items: [1, 2] }), key);
    const again = await api.post("/v1/jobs", { input: { items: [1, 2] }, function: "square", kind: "map" }, key);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const conflict = await api.post("/v1/jobs", job("map", "square", { items: [1, 3] }), key);
    expect([conflict.status, conflict.body.code]).toEqual([422, "idempotency_key_conflict"]);
  });
});

describe("listing", () => {
  it("pages newest first and filters by status", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api.post("/v1/jobs", job("map", "square", { items: [i] }), wait)).body.id);
    const first = await api.get("/v1/jobs?limit=2&status=successful");
    expect(first.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[4], ids[3]]);
    const second = await api.get(`/v1/jobs?limit=2&status=successful&cursor=${first.body.nextCursor}`);
    expect(second.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    const failedOnly = await api.get("/v1/jobs?status=failed&limit=100");
    expect(failedOnly.body.jobs.every((j: { status: string }) => j.status === "failed")).toBe(true);
    const bad = await api.get("/v1/jobs?cursor=%21%21");
    expect([bad.status, bad.body.code]).toEqual([400, "validation_failed"]);
    const badLimit = await api.get("/v1/jobs?limit=0");
    expect([badLimit.status, badLimit.body.code]).toEqual([400, "validation_failed"]);
  });
});

describe("big results", () => {
  it("sends a many-chunk result, non-ASCII text included, whole and byte-exact on Prefer: wait, GET /result and SSE", async () => {
    // ~1.1 MB of JSON in 40 chunks: past the size where answers are streamed piece by piece.
    const items = Array.from({ length: 4_000 }, (_, i) => `ünïcødé ${i} ${"€".repeat(80)}`);
    const waited = await api.post("/v1/jobs", job("map", "echo", { items }, { options: { chunkSize: 100 } }), wait);
    expect(waited.status).toBe(200);
    expect(Number(waited.headers.get("content-length"))).toBe(Buffer.byteLength(waited.text));
    expect(waited.body.result).toEqual({ kind: "map", items });
    const result = await api.get(`/v1/jobs/${waited.body.id}/result`);
    expect([result.status, result.headers.get("content-type")]).toEqual([200, "application/json; charset=utf-8"]);
    expect(Number(result.headers.get("content-length"))).toBe(Buffer.byteLength(result.text));
    expect(result.body).toEqual({ kind: "map", items });
    const { events } = parseSse((await api.get(`/v1/jobs/${waited.body.id}/events`)).text);
    expect(events.find((e) => e.event === "result")?.data).toEqual({ kind: "map", items });
  });
});

describe("events (SSE)", () => {
  it("streams status, progress, result and a final status, then closes; resumes after Last-Event-ID", async () => {
    const submitted = await api.post("/v1/jobs", job("map", "sleep", { items: [150, 150, 150, 150] }, { options: { chunkSize: 1, concurrency: 1 } }));
    const live = await api.get(`/v1/jobs/${submitted.body.id}/events`);
    expect(live.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { events, heartbeats } = parseSse(live.text);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("status");
    expect(names.slice(-2)).toEqual(["result", "status"]);
    expect(names.filter((n) => n === "progress")).toHaveLength(4);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => Number(events[0]?.id) + i));
    expect(events.at(-1)?.data.status).toBe("successful");
    expect(events.at(-2)?.data).toEqual({ kind: "map", items: [150, 150, 150, 150] });
    const completed = events.filter((e) => e.event === "progress").map((e) => e.data.progress.completedChunks);
    expect(completed).toEqual([1, 2, 3, 4]);
    expect(heartbeats).toBeGreaterThan(0);

    const resumeFrom = events.at(-3)?.id as string;
    const resumed = parseSse((await api.get(`/v1/jobs/${submitted.body.id}/events`, { "last-event-id": resumeFrom })).text);
    expect(resumed.events.map((e) => e.event)).toEqual(["result", "status"]);
  });

  it("sends an error event for a failed job and 404s an unknown job", async () => {
    const failed = await api.post("/v1/jobs", job("map", "fail", { items: ["x"] }), wait);
    const { events } = parseSse((await api.get(`/v1/jobs/${failed.body.id}/events`)).text);
    expect(events.slice(-2).map((e) => e.event)).toEqual(["error", "status"]);
    expect(events.at(-2)?.data.code).toBe("item_failed");
    const missing = await api.get("/v1/jobs/job_nope/events");
    expect([missing.status, missing.body.code]).toEqual([404, "job_not_found"]);
  });
});

describe("bad input", () => {
  it("malformed JSON is 400 invalid_json", async () => {
    const r = await api.send("POST", "/v1/jobs", { body: "{kind:", headers: { "content-type": "application/json" } });
    expect([r.status, r.body.code]).toEqual([400, "invalid_json"]);
  });

  it("a non-JSON content type is 415", async () => {
    const r = await api.send("POST", "/v1/jobs", { body: "kind=map", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect([r.status, r.body.code]).toEqual([415, "unsupported_media_type"]);
  });

  it("schema-invalid fields are listed", async () => {
    const r = await api.post("/v1/jobs", { kind: "map", function: "square", input: { items: [] }, options: { chunkSize: 0, colour: "red" } });
    expect([r.status, r.body.code]).toEqual([400, "validation_failed"]);
    expect(r.body.errors).toEqual(
      expect.arrayContaining([
        { path: "/options/chunkSize", message: "must be >= 1" },
        { path: "/options/colour", message: "is not allowed" },
      ]),
    );
  });

  it("an unknown kind, function or job", async () => {
    expect((await api.post("/v1/jobs", job("sort", "square", { items: [] }))).body.code).toBe("validation_failed");
    expect((await api.post("/v1/jobs", job("map", "nope", { items: [] }))).status).toBe(404);
    expect((await api.get("/v1/jobs/job_nope")).body.code).toBe("job_not_found");
    expect((await api.del("/v1/jobs/job_nope")).body.code).toBe("job_not_found");
  });

  it("413 for an oversized body, too many items, and a huge range", async () => {
    const big = await api.send("POST", "/v1/functions/echo/call", { body: `{"input":"${"x".repeat(17 * 1024 * 1024)}"}`, headers: { "content-type": "application/json" } });
    expect([big.status, big.body.code]).toEqual([413, "payload_too_large"]);
    const many = await api.post("/v1/jobs", job("map", "square", { items: new Array(1_000_001).fill(0) }));
    expect([many.status, many.body.code]).toEqual([413, "too_many_items"]);
    const range = await api.post("/v1/jobs", job("map", "square", { range: { start: 0, end: 1e12 } }));
    expect([range.status, range.body.code]).toEqual([413, "too_many_items"]);
  });

  it("400 for JSON nested too deeply; 404 and 405 for routes", async () => {
    const deep = await api.send("POST", "/v1/functions/echo/call", { body: `{"input":${"[".repeat(100)}${"]".repeat(100)}}`, headers: { "content-type": "application/json" } });
    expect([deep.status, deep.body.code]).toEqual([400, "nesting_too_deep"]);
    const route = await api.get("/v1/nowhere");
    expect([route.status, route.body.code]).toEqual([404, "not_found"]);
    const method = await api.send("PUT", "/v1/jobs");
    expect([method.status, method.body.code, method.headers.get("allow")]).toEqual([405, "method_not_allowed", "GET, POST"]);
  });

  it("keeps serving after all of that", async () => {
    expect((await api.post("/v1/jobs", job("fold", "sum", { items: [1, 2] }), wait)).body.result).toEqual({ kind: "fold", value: 3 });
  });
});
