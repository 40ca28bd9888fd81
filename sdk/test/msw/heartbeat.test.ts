import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandlers } from "../../src/msw/index.js";

const BASE = "http://heartbeat.test";
// The default interval (15 s): only a client's ?heartbeatMs= can make heartbeats show up in these tests.
const { handlers } = createHandlers({ baseUrl: BASE, seed: "heartbeat" });
const server = setupServer(...handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

async function sleepJob(): Promise<string> {
  const res = await fetch(`${BASE}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: "map", function: "sleep", input: { items: [3000] } }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/**
 * Opens a job's event stream, reads it for `ms`, and counts its `: heartbeat` comments. The
 * request is then aborted (the handlers stop the stream on the request's signal); awaiting
 * `reader.cancel()` would hang under msw's interceptor.
 */
async function heartbeatsWithin(path: string, ms: number): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(`${BASE}${path}`, { signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === undefined || next.done) break;
      text += decoder.decode(next.value, { stream: true });
    }
  } finally {
    controller.abort();
    reader.cancel().catch(() => undefined);
  }
  return text.match(/^: heartbeat$/gm)?.length ?? 0;
}

describe("msw events: ?heartbeatMs=", () => {
  it("sends heartbeats at the client's interval instead of the default", async () => {
    const id = await sleepJob();
    try {
      expect(await heartbeatsWithin(`/v1/jobs/${id}/events?heartbeatMs=100`, 650)).toBeGreaterThanOrEqual(3);
    } finally {
      await fetch(`${BASE}/v1/jobs/${id}`, { method: "DELETE" });
    }
  });

  it("keeps the server's default without the parameter", async () => {
    const id = await sleepJob();
    try {
      expect(await heartbeatsWithin(`/v1/jobs/${id}/events`, 400)).toBe(0);
    } finally {
      await fetch(`${BASE}/v1/jobs/${id}`, { method: "DELETE" });
    }
  });

  it.each(["99", "60001", "abc", "1.5"])("answers heartbeatMs=%s with 400 validation_failed at /heartbeatMs", async (value) => {
    const id = await sleepJob();
    try {
      const res = await fetch(`${BASE}/v1/jobs/${id}/events?heartbeatMs=${value}`);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "/heartbeatMs" }] });
    } finally {
      await fetch(`${BASE}/v1/jobs/${id}`, { method: "DELETE" });
    }
  });
});
