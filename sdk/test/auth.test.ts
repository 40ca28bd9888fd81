import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, PolybridgeError, type Client, type JobEvent } from "@polybridge/sdk";
import { createClient as createBrowserClient } from "@polybridge/sdk/browser";
import { job, json, problem, scriptedFetch, sse } from "./scriptedFetch.js";

const baseUrl = "http://polybridge.test";
const health = { status: "ok", version: "1", uptimeSeconds: 1, workers: 2, jobs: { queued: 0, running: 0, stored: 0 } };
const fast = { baseDelayMs: 1, maxDelayMs: 5 };
const unauthorized = (error?: string) =>
  problem(401, "unauthorized", { "www-authenticate": `Bearer realm="polybridge"${error ? `, error="${error}"` : ""}` });

async function collect(events: AsyncIterable<JobEvent>): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

async function failure(p: Promise<unknown>): Promise<PolybridgeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PolybridgeError);
    return e as PolybridgeError;
  }
  throw new Error("expected a rejection");
}

describe("token: Authorization: Bearer on every request", () => {
  it("sends a string token on calls, submissions, lists and event streams", async () => {
    const fetch = scriptedFetch(
      () => json(200, health),
      () => json(202, job("j1", "accepted")),
      () => json(200, { jobs: [], nextCursor: null }),
      () => sse(`id: 1\nevent: status\ndata: ${JSON.stringify(job("j1", "successful", 2))}\n\n`),
    );
    const client = createClient({ baseUrl, fetch, token: "t1" });
    await client.getHealth();
    await client.jobs.submit({ kind: "map", function: "square", input: { items: [1, 2] } });
    await client.jobs.list();
    await collect(client.jobs.events("j1"));
    expect(fetch.calls.map((c) => c.headers.authorization)).toEqual(["Bearer t1", "Bearer t1", "Bearer t1", "Bearer t1"]);
  });

  it("the token wins over an Authorization in headers; no token (or an empty one) sends none", async () => {
    const fetch = scriptedFetch(() => json(200, health));
    await createClient({ baseUrl, fetch, token: "t1", headers: { Authorization: "Basic x" } }).getHealth();
    await createClient({ baseUrl, fetch }).getHealth();
    await createClient({ baseUrl, fetch, token: "" }).getHealth();
    await createClient({ baseUrl, fetch, token: () => "" }).getHealth();
    expect(fetch.calls.map((c) => c.headers.authorization)).toEqual(["Bearer t1", undefined, undefined, undefined]);
  });

  it("calls a token function per request, so a rotating token is picked up", async () => {
    let n = 0;
    const fetch = scriptedFetch(() => json(200, health));
    const client = createClient({ baseUrl, fetch, token: async () => `t${++n}` });
    await client.getHealth();
    await client.getHealth();
    await client.call("square", 3).catch(() => undefined);
    expect(fetch.calls.map((c) => c.headers.authorization)).toEqual(["Bearer t1", "Bearer t2", "Bearer t3"]);
  });

  it("asks the token function again before each retry", async () => {
    let n = 0;
    const fetch = scriptedFetch(() => problem(503, "queue_full"), () => problem(503, "queue_full"), () => json(202, job("j1", "accepted")));
    const client = createClient({ baseUrl, fetch, retry: fast, token: () => `t${++n}` });
    const handle = await client.jobs.submit({ kind: "map", function: "square", input: { items: [1] } });
    expect(handle.id).toBe("j1");
    expect(fetch.calls.map((c) => c.headers.authorization)).toEqual(["Bearer t1", "Bearer t2", "Bearer t3"]);
    // The same logical submission: one Idempotency-Key across the retries.
    expect(new Set(fetch.calls.map((c) => c.headers["idempotency-key"])).size).toBe(1);
  });

  it("sends it on stream reconnects and on the polling fallback", async () => {
    let n = 0;
    const fetch = scriptedFetch(
      () => sse(`id: 1\nevent: status\ndata: ${JSON.stringify(job("j1", "running"))}\n\nretry: 5\n\n`),
      () => sse(`id: 2\nevent: status\ndata: ${JSON.stringify(job("j1", "successful", 2))}\n\n`),
    );
    const events = await collect(createClient({ baseUrl, fetch, token: () => `t${++n}` }).jobs.events("j1"));
    expect(events.map((e) => e.id)).toEqual(["1", "2"]);
    expect(fetch.calls.map((c) => [c.headers.authorization, c.headers["last-event-id"]])).toEqual([["Bearer t1", undefined], ["Bearer t2", "1"]]);

    // A proxy that does not speak SSE: the client polls, with the token.
    const polling = scriptedFetch(() => json(200, job("j1", "failed", 2, { error: { type: "https://polybridge.dev/problems/item_failed", title: "Item failed", status: 422, code: "item_failed" } })));
    const polled = await collect(createClient({ baseUrl, fetch: polling, token: "t9" }).jobs.events("j1"));
    expect(polled.at(-1)?.event).toBe("status");
    expect(polling.calls.map((c) => c.headers.authorization)).toEqual(["Bearer t9", "Bearer t9"]);
  });
});

describe("401 unauthorized", () => {
  it("rejects with a PolybridgeError of code unauthorized, status 401, not retried", async () => {
    const fetch = scriptedFetch(() => unauthorized("invalid_token"));
    const err = await failure(createClient({ baseUrl, fetch, retry: fast, token: "expired" }).getJob("j1"));
    expect([err.code, err.status, err.retryable, err.problem?.code]).toEqual(["unauthorized", 401, false, "unauthorized"]);
    expect(PolybridgeError.is(err, "unauthorized")).toBe(true);
    expect(fetch.calls).toHaveLength(1);
  });

  it("does so for job submissions and event streams too (no reconnects, no polling)", async () => {
    const fetch = scriptedFetch(() => unauthorized());
    const client = createClient({ baseUrl, fetch, retry: fast });
    expect((await failure(client.jobs.submit({ kind: "map", function: "square", input: { items: [1] } }))).code).toBe("unauthorized");
    expect(fetch.calls).toHaveLength(1);
    expect((await failure(collect(client.jobs.events("j1")))).code).toBe("unauthorized");
    expect(fetch.calls).toHaveLength(2);
  });

  it("a token function that throws rejects the call with a PolybridgeError carrying the cause", async () => {
    const fetch = scriptedFetch(() => json(200, health));
    const cause = new Error("session expired");
    const err = await failure(createClient({ baseUrl, fetch, token: () => Promise.reject(cause) }).getHealth());
    expect(err.cause).toBe(cause);
    expect(fetch.calls).toHaveLength(0);
  });
});

// The entries' own default transports (undici in Node, fetch in the browser entry) against a real server.
describe("both entry points send the token over their default transport", () => {
  let server: Server;
  let url: string;
  const seen: Array<{ path: string; authorization: string | undefined }> = [];
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ path: req.url ?? "", authorization: req.headers.authorization });
      if (req.headers.authorization !== "Bearer t1" && req.headers.authorization !== "Bearer t2") {
        res.writeHead(401, { "content-type": "application/problem+json", "www-authenticate": 'Bearer realm="polybridge"' });
        res.end(JSON.stringify({ type: "https://polybridge.dev/problems/unauthorized", title: "Authentication required", status: 401, code: "unauthorized" }));
        return;
      }
      if (req.url?.endsWith("/events")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(`id: 1\nevent: status\ndata: ${JSON.stringify(job("j1", "successful", 2))}\n\n`);
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(health));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([
    ["node (undici)", (options: Parameters<typeof createClient>[0]) => createClient(options)],
    ["browser (fetch)", (options: Parameters<typeof createClient>[0]) => createBrowserClient(options) as Client],
  ])("%s", async (_name, make) => {
    seen.length = 0;
    let n = 0;
    const client = make({ baseUrl: url, token: async () => (++n === 1 ? "t1" : "t2") });
    try {
      await client.getHealth();
      await collect(client.jobs.events("j1"));
      expect(seen).toEqual([{ path: "/v1/health", authorization: "Bearer t1" }, { path: "/v1/jobs/j1/events", authorization: "Bearer t2" }]);
      const anonymous = make({ baseUrl: url });
      const err = await failure(anonymous.getHealth());
      expect([err.code, err.status]).toEqual(["unauthorized", 401]);
      await anonymous.close();
    } finally {
      await client.close();
    }
  });
});
