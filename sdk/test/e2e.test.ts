import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { generateFunctions } from "@polybridge/codegen";
import { startServer } from "@polybridge/server";
import { createClient, PolybridgeError, type Client, type JobEvent, type JobRequestOf } from "@polybridge/sdk";
import type { Functions } from "./gen/functions.js";

// The SDK against the reference server, with strict contract validation on every answer.
let server: Awaited<ReturnType<typeof startServer>>;
let client: Client<Functions>;

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", workers: 2 });
  client = createClient<Functions>({ baseUrl: server.url, validate: "strict", timeoutMs: 20_000 });
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

async function failure(p: Promise<unknown>): Promise<PolybridgeError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(PolybridgeError);
  return e as PolybridgeError;
}

describe("sdk ↔ reference server", () => {
  it("is typed with this server's own catalogue (gen/functions.ts is what `generate functions` writes)", async () => {
    const out = fileURLToPath(new URL("./gen/functions.ts", import.meta.url));
    expect((await generateFunctions({ from: server.url, out, check: true })).drifted).toEqual([]);
  });

  it("reads health and the catalogue", async () => {
    expect((await client.getHealth()).status).toBe("ok");
    const names = (await client.listFunctions()).functions.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["echo", "square", "isEven", "sum", "tokenize", "fail", "sleep"]));
    expect((await client.getFunction("sum")).kind).toBe("reducer");
  });

  it("reads the contract the server serves, as JSON and as YAML text", async () => {
    const spec = await client.getOpenApiJson();
    expect(spec.openapi).toMatch(/^3\.1/);
    const yaml = await client.getOpenApiYaml();
    expect(typeof yaml).toBe("string");
    expect(yaml).toMatch(/^openapi: 3\.1/m);
    expect(yaml).toContain("operationId: submitJob");
  });

  it("calls functions of every kind", async () => {
    expect(await client.call("square", 12)).toBe(144);
    expect(await client.call("echo", { a: [1, "x", null] })).toEqual({ a: [1, "x", null] });
    expect(await client.call("sum", [40, 2])).toBe(42);
    expect(await client.call("tokenize", "A b, a")).toEqual([["a", 1], ["b", 1], ["a", 1]]);
  });

  it("runs map, filter, fold and mapreduce jobs with progress", async () => {
    const progress: number[] = [];
    const map = await client.jobs.run({ kind: "map", function: "square", input: { items: [1, 2, 3] }, options: { chunkSize: 1 } }, { onProgress: (p) => progress.push(p.completedItems) });
    expect(map).toEqual({ kind: "map", items: [1, 4, 9] });
    expect(progress.at(-1)).toBe(3);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const filter = await client.jobs.run({ kind: "filter", function: "isPrime", input: { range: { start: 0, end: 100 } }, options: { chunkSize: 10 } });
    expect(filter.items).toHaveLength(25);
    expect(await client.jobs.run({ kind: "fold", function: "sum", input: { range: { start: 1, end: 101 } } })).toEqual({ kind: "fold", value: 5050 });
    const words = await client.jobs.run({ kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a b a", "b c"] } });
    expect(words.entries).toEqual([["a", 2], ["b", 2], ["c", 1]]);
  });

  it("returns the finished job at once with waitSeconds", async () => {
    const handle = await client.jobs.submit({ kind: "map", function: "square", input: { items: [5] } }, { waitSeconds: 10 });
    expect(handle.job.status).toBe("successful");
    await expect(handle.result()).resolves.toEqual({ kind: "map", items: [25] });
  });

  it("maps server errors to codes with status and problem", async () => {
    const failed = await failure(client.call("fail", "boom"));
    expect([failed.code, failed.status, failed.problem?.detail]).toEqual(["function_failed", 422, 'fail: "boom"']);
    const invalid = await failure(client.call("sleep", -1));
    expect([invalid.code, invalid.status]).toEqual(["validation_failed", 400]);
    expect(invalid.problem?.errors?.[0]?.path).toMatch(/^\/input/);
    expect((await failure(client.call("nope" as "echo", 1))).code).toBe("function_not_found");
    expect((await failure(client.call("sleep", 2000, { functionTimeoutMs: 50 }))).code).toBe("call_timeout");
    expect((await failure(client.jobs.get("job_missing"))).code).toBe("job_not_found");
  });

  it("rejects a failing job with item_failed and the failing index", async () => {
    const err = await failure(client.jobs.run({ kind: "map", function: "fail", input: { items: [1, 2, -1, 3] }, options: { chunkSize: 1 } }));
    expect([err.code, err.problem?.itemIndex, typeof err.jobId]).toEqual(["item_failed", 2, "string"]);
  });

  it("replays a submission with the same idempotency key; another body with it is a conflict", async () => {
    const request = { kind: "map", function: "square", input: { items: [7] } } satisfies JobRequestOf<Functions>;
    const key = `k-${Date.now()}-${Math.random()}`;
    const first = await client.jobs.submit(request, { idempotencyKey: key });
    const replay = await client.jobs.submit(request, { idempotencyKey: key });
    expect([replay.id, replay.replayed, first.replayed]).toEqual([first.id, true, false]);
    const conflict = await failure(client.jobs.submit({ ...request, input: { items: [8] } }, { idempotencyKey: key }));
    expect([conflict.code, conflict.status]).toEqual(["idempotency_key_conflict", 422]);
  });

  it("cancels a running job: run() rejects with job_cancelled", async () => {
    const handle = await client.jobs.submit({ kind: "map", function: "sleep", input: { items: [1000, 1000, 1000, 1000] }, options: { chunkSize: 1, concurrency: 1 } });
    const pending = failure(handle.result());
    expect((await handle.cancel()).status).toBe("dismissed");
    expect((await pending).code).toBe("job_cancelled");
  });

  it("cancels the server's job when the caller aborts run()", async () => {
    const controller = new AbortController();
    let jobId: string | undefined;
    const pending = client.jobs.run(
      { kind: "map", function: "sleep", input: { items: [1000, 1000, 1000] }, options: { chunkSize: 1, concurrency: 1 } },
      { signal: controller.signal, onProgress: (_p, id) => (jobId = id) },
    );
    setTimeout(() => controller.abort(), 300);
    expect((await failure(pending)).code).toBe("aborted");
    await new Promise((r) => setTimeout(r, 200));
    const recent = (await client.jobs.list({ limit: 5 })).jobs.find((j) => j.function === "sleep" && (jobId === undefined || j.id === jobId));
    expect(recent?.status).toBe("dismissed");
  });

  it("replays job events after Last-Event-ID", async () => {
    const handle = await client.jobs.submit({ kind: "map", function: "square", input: { items: [1, 2] }, options: { chunkSize: 1 } });
    const all: JobEvent[] = [];
    for await (const e of handle.events()) all.push(e);
    expect(all.at(-1)).toMatchObject({ event: "status", data: { status: "successful" } });
    const cut = all[1]?.id ?? "0";
    const resumed: JobEvent[] = [];
    for await (const e of client.jobs.events(handle.id, { lastEventId: cut })) resumed.push(e);
    // The server may compact superseded progress events, so compare ids after the cut and the ending.
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((e) => Number(e.id) > Number(cut))).toBe(true);
    expect(resumed.slice(-2)).toEqual(all.slice(-2));
  });

  it("asks for a heartbeat interval with jobs.events({ heartbeatMs }); the server judges its range", async () => {
    const handle = await client.jobs.submit({ kind: "map", function: "sleep", input: { items: [300] } });
    const events: JobEvent[] = [];
    for await (const e of client.jobs.events(handle.id, { heartbeatMs: 100 })) events.push(e);
    expect(events.at(-1)).toMatchObject({ event: "status", data: { status: "successful" } });
    const err = await failure((async () => {
      for await (const e of client.jobs.events(handle.id, { heartbeatMs: 99 })) void e;
    })());
    expect([err.code, err.status, err.problem?.code]).toEqual(["validation_failed", 400, "validation_failed"]);
  });

  it("times out on the client side", async () => {
    const err = await failure(client.call("sleep", 3000, { timeoutMs: 200 }));
    expect(err.code).toBe("timeout");
  });

  it("lists jobs newest first, with strict validation of every page", async () => {
    const page = await client.jobs.list({ limit: 2 });
    expect(page.jobs.length).toBeLessThanOrEqual(2);
    if (page.nextCursor) expect((await client.jobs.list({ limit: 2, cursor: page.nextCursor })).jobs.length).toBeGreaterThan(0);
  });
});
