// The plain `@polybridge/sdk` entry in Node sends through undici, which msw does not intercept;
// while msw's setupServer (or anything else) has replaced globalThis.fetch, it sends through
// fetch instead. No network: the msw origin does not resolve, the plain server is on loopback.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient, PolybridgeError, type JobEvent } from "@polybridge/sdk";
import { createHandlers } from "@polybridge/sdk/msw";

const BASE = "http://compute.test"; // .test never resolves: only an interceptor can answer

// A loopback server that records the headers it saw, to tell undici (no sec-fetch-mode, no
// user-agent) from fetch (both) — and so that undici's path is shown to be taken again.
let plain: Server;
let plainUrl = "";
const seen: IncomingHttpHeaders[] = [];
beforeAll(async () => {
  plain = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", version: "plain", uptimeSeconds: 1, workers: 1, jobs: { queued: 0, running: 0, stored: 0 } }));
  });
  await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});
afterAll(async () => {
  plain.closeAllConnections();
  await new Promise((resolve) => plain.close(resolve));
});

describe("plain @polybridge/sdk entry under msw setupServer", () => {
  const { handlers, mock, reset } = createHandlers({ baseUrl: BASE, delayMs: 5, seed: 1 });
  const server = setupServer(...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => reset());
  afterAll(() => server.close());
  const client = createClient({ baseUrl: BASE, retry: false, timeoutMs: 10_000 });
  afterAll(() => client.close());

  it("answers calls, jobs with progress and errors from the handlers", async () => {
    expect(await client.call("square", 12)).toBe(144);
    const progress: number[] = [];
    const result = await client.jobs.run(
      { kind: "map", function: "square", input: { items: [1, 2, 3] }, options: { chunkSize: 1, concurrency: 1 } },
      { onProgress: (p) => progress.push(p.completedItems) },
    );
    expect(result.items).toEqual([1, 4, 9]);
    expect(progress.at(-1)).toBe(3);
    const err = await client.call("fail", "boom").catch((e: unknown) => PolybridgeError.from(e));
    expect(err).toMatchObject({ code: "function_failed", status: 422 });
  });

  it("streams a job's Server-Sent Events and sees overrides", async () => {
    const job = await client.jobs.submit({ kind: "map", function: "square", input: { items: [5] } });
    const events: JobEvent[] = [];
    for await (const e of client.jobs.events(job.id)) events.push(e);
    expect(events.map((e) => e.event)).toContain("result");
    mock.error("getHealth", 503, { code: "shutting_down", once: true });
    await expect(client.getHealth()).rejects.toMatchObject({ code: "shutting_down", status: 503 });
  });

  it("a request msw does not handle is msw's business (onUnhandledRequest: error), not undici's", async () => {
    const stray = createClient({ baseUrl: plainUrl, retry: false, timeoutMs: 5_000 });
    try {
      const before = seen.length;
      await expect(stray.getHealth()).rejects.toThrow(/MSW/);
      expect(seen.length).toBe(before);
    } finally {
      await stray.close();
    }
  });
});

describe("without an interceptor", () => {
  it("sends through undici again once msw's server is closed (fetch restored)", async () => {
    const { handlers } = createHandlers({ baseUrl: plainUrl });
    const server = setupServer(...handlers);
    const client = createClient({ baseUrl: plainUrl, retry: false, timeoutMs: 5_000 });
    try {
      server.listen({ onUnhandledRequest: "error" });
      expect((await client.getHealth()).version).not.toBe("plain"); // answered by the mock
      server.close();
      const before = seen.length;
      expect((await client.getHealth()).version).toBe("plain");
      expect(seen.length).toBe(before + 1);
      // undici's request() sends neither of these; Node's fetch sends both.
      expect(seen.at(-1)?.["sec-fetch-mode"]).toBeUndefined();
      expect(seen.at(-1)?.["user-agent"]).toBeUndefined();
    } finally {
      server.close();
      await client.close();
    }
  });

  it("any replaced globalThis.fetch (a stub, nock, a polyfill) takes the requests", async () => {
    const original = globalThis.fetch;
    const urls: string[] = [];
    globalThis.fetch = async (input, init) => {
      urls.push(String(input));
      return original(input, init);
    };
    const client = createClient({ baseUrl: plainUrl, retry: false, timeoutMs: 5_000 });
    try {
      expect((await client.getHealth()).version).toBe("plain");
      expect(urls).toEqual([`${plainUrl}/v1/health`]);
      expect(seen.at(-1)?.["sec-fetch-mode"]).toBe("cors");
    } finally {
      globalThis.fetch = original;
      await client.close();
    }
  });
});
