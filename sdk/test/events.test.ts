import { describe, expect, it } from "vitest";
import { createClient, PolybridgeError, type JobEvent } from "@polybridge/sdk";
import { job, json, problem, scriptedFetch, sse } from "./scriptedFetch.js";

const baseUrl = "http://polybridge.test";
const progress = (n: number): string => JSON.stringify({ jobId: "j1", progress: job("j1", "running", n).progress });

async function collect(events: AsyncIterable<JobEvent>): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("job events over SSE", () => {
  it("parses events split across chunks, skips heartbeats and ends at the terminal status", async () => {
    const fetch = scriptedFetch(() =>
      sse(
        `: heartbeat\n\nid: 1\nevent: status\ndata: ${JSON.stringify(job("j1", "running"))}\n\nid: 2\nevent: prog`,
        `ress\ndata: ${progress(1)}\n\n: heartbeat\n\nid: 3\nevent: result\ndata: {"kind":"map","items":[1,4]}\n\n`,
        `id: 4\nevent: status\ndata: ${JSON.stringify(job("j1", "successful", 2))}\n\n`,
      ),
    );
    const events = await collect(createClient({ baseUrl, fetch }).jobs.events("j1"));
    expect(events.map((e) => [e.id, e.event])).toEqual([["1", "status"], ["2", "progress"], ["3", "result"], ["4", "status"]]);
    expect(fetch.calls[0]!.headers.accept).toBe("text/event-stream");
  });

  it("reconnects with Last-Event-ID when the stream drops before the end", async () => {
    const fetch = scriptedFetch(
      () => sse(`id: 1\nevent: status\ndata: ${JSON.stringify(job("j1", "running"))}\n\nretry: 10\n\nid: 2\nevent: progress\ndata: ${progress(1)}\n\n`),
      () => sse(`id: 3\nevent: progress\ndata: ${progress(2)}\n\nid: 4\nevent: status\ndata: ${JSON.stringify(job("j1", "successful", 2))}\n\n`),
    );
    const events = await collect(createClient({ baseUrl, fetch }).jobs.events("j1"));
    expect(events.map((e) => e.id)).toEqual(["1", "2", "3", "4"]);
    expect(fetch.calls[0]!.headers["last-event-id"]).toBeUndefined();
    expect(fetch.calls[1]!.headers["last-event-id"]).toBe("2");
  });

  it("resumes from a caller's lastEventId", async () => {
    const fetch = scriptedFetch(() => sse(`id: 8\nevent: status\ndata: ${JSON.stringify(job("j1", "failed"))}\n\n`));
    await collect(createClient({ baseUrl, fetch }).jobs.events("j1", { lastEventId: "7" }));
    expect(fetch.calls[0]!.headers["last-event-id"]).toBe("7");
  });

  it("asks for a heartbeat interval with ?heartbeatMs=, on reconnects too", async () => {
    const fetch = scriptedFetch(
      () => sse(`id: 1\nevent: status\ndata: ${JSON.stringify(job("j1", "running"))}\n\nretry: 10\n\n`),
      () => sse(`id: 2\nevent: status\ndata: ${JSON.stringify(job("j1", "successful", 2))}\n\n`),
    );
    await collect(createClient({ baseUrl, fetch }).jobs.events("j1", { heartbeatMs: 500 }));
    expect(fetch.calls.map((c) => c.url)).toEqual([`${baseUrl}/v1/jobs/j1/events?heartbeatMs=500`, `${baseUrl}/v1/jobs/j1/events?heartbeatMs=500`]);
    expect(fetch.calls[1]!.headers["last-event-id"]).toBe("1");
  });

  it("sends no query without heartbeatMs", async () => {
    const fetch = scriptedFetch(() => sse(`id: 1\nevent: status\ndata: ${JSON.stringify(job("j1", "successful", 2))}\n\n`));
    await collect(createClient({ baseUrl, fetch }).jobs.events("j1"));
    expect(fetch.calls[0]!.url).toBe(`${baseUrl}/v1/jobs/j1/events`);
  });

  it("rejects an out-of-range heartbeatMs with the server's validation_failed, without reconnecting", async () => {
    const fetch = scriptedFetch(() => problem(400, "validation_failed"));
    await expect(collect(createClient({ baseUrl, fetch }).jobs.events("j1", { heartbeatMs: 50 }))).rejects.toMatchObject({ code: "validation_failed", status: 400 });
    expect(fetch.calls).toHaveLength(1);
  });

  it("falls back to polling (honouring Retry-After) when the answer is not an event stream", async () => {
    const fetch = scriptedFetch(
      () => json(200, { not: "sse" }),
      () => json(200, job("j1", "running", 1), { "retry-after": "0" }),
      () => json(200, job("j1", "successful", 2, { result: { kind: "map", items: [1, 4] } })),
    );
    const events = await collect(createClient({ baseUrl, fetch }).jobs.events("j1"));
    expect(events.map((e) => [e.id, e.event])).toEqual([
      [undefined, "status"],
      [undefined, "progress"],
      [undefined, "progress"],
      [undefined, "result"],
      [undefined, "status"],
    ]);
    expect(fetch.calls.slice(1).map((c) => c.url)).toEqual([`${baseUrl}/v1/jobs/j1`, `${baseUrl}/v1/jobs/j1`]);
  });

  it("falls back to polling after repeated stream failures", async () => {
    const fetch = scriptedFetch(
      () => problem(503, "queue_full"),
      () => problem(503, "queue_full"),
      () => json(200, job("j1", "failed", 0, { error: { type: "t", title: "Item failed", status: 422, code: "item_failed", itemIndex: 1 } })),
    );
    const events = await collect(createClient({ baseUrl, fetch }).jobs.events("j1", { maxReconnects: 1 }));
    expect(events.map((e) => e.event)).toEqual(["progress", "error", "status"]);
  });

  it("rejects with job_not_found without reconnecting", async () => {
    const fetch = scriptedFetch(() => problem(404, "job_not_found"));
    await expect(collect(createClient({ baseUrl, fetch }).jobs.events("nope"))).rejects.toMatchObject({ code: "job_not_found", status: 404 });
    expect(fetch.calls).toHaveLength(1);
  });
});

describe("jobs.run", () => {
  it("submits, reports progress and resolves with the typed result", async () => {
    const fetch = scriptedFetch(
      () => json(202, job("j1", "accepted")),
      () => sse(`id: 1\nevent: progress\ndata: ${progress(1)}\n\nid: 2\nevent: progress\ndata: ${progress(2)}\n\nid: 3\nevent: result\ndata: {"kind":"map","items":[1,4]}\n\nid: 4\nevent: status\ndata: ${JSON.stringify(job("j1", "successful", 2))}\n\n`),
    );
    const seen: number[] = [];
    const result = await createClient({ baseUrl, fetch }).jobs.run(
      { kind: "map", function: "square", input: { items: [1, 2] } },
      { onProgress: (p) => seen.push(p.completedItems) },
    );
    expect(result).toEqual({ kind: "map", items: [1, 4] });
    expect(seen).toEqual([1, 2]);
  });

  it("returns at once when Prefer: wait finished the job", async () => {
    const fetch = scriptedFetch(() => json(200, job("j1", "successful", 2, { result: { kind: "map", items: [9] } })));
    await expect(createClient({ baseUrl, fetch }).jobs.run({ kind: "map", function: "square", input: { items: [3] } }, { waitSeconds: 5 })).resolves.toEqual({ kind: "map", items: [9] });
    expect(fetch.calls[0]!.headers.prefer).toBe("wait=5");
  });

  it("rejects with the job's error (item_failed, itemIndex, jobId)", async () => {
    const error = { type: "t", title: "Item failed", status: 422, code: "item_failed", detail: "fail: -1", itemIndex: 1 };
    const fetch = scriptedFetch(
      () => json(202, job("j1", "accepted")),
      () => sse(`id: 1\nevent: error\ndata: ${JSON.stringify(error)}\n\nid: 2\nevent: status\ndata: ${JSON.stringify(job("j1", "failed", 0, { error }))}\n\n`),
    );
    const err = await createClient({ baseUrl, fetch }).jobs.run({ kind: "map", function: "fail", input: { items: [1, -1] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolybridgeError);
    expect(err).toMatchObject({ code: "item_failed", jobId: "j1", problem: { itemIndex: 1 } });
  });

  it("cancels the job on the server when the caller aborts", async () => {
    const controller = new AbortController();
    const fetch = scriptedFetch(
      () => json(202, job("j1", "accepted")),
      (_req, signal) => new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason))),
      () => json(200, job("j1", "dismissed")),
    );
    const pending = createClient({ baseUrl, fetch }).jobs.run({ kind: "map", function: "sleep", input: { items: [1000] } }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
    await new Promise((r) => setTimeout(r, 20));
    expect(fetch.calls.map((c) => c.method)).toEqual(["POST", "GET", "DELETE"]);
  });
});
