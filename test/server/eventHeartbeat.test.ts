// `?heartbeatMs=` on the reference server: the client's interval wins over the server's default
// for that stream only; the bounds come from the spec's schema (fastify validates the query).
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEventStream } from "../helpers/readEventStream.js";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", workers: 1, heartbeatMs: 15_000 });
});
afterAll(() => server.close(1_000));

async function sleepJob(ms: number): Promise<string> {
  const res = await fetch(`${server.url}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: "map", function: "sleep", input: { items: [ms] } }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const heartbeats = (text: string): number => text.match(/^: heartbeat$/gm)?.length ?? 0;

describe("GET /v1/jobs/{id}/events?heartbeatMs=", () => {
  it("sends heartbeats at the client's interval instead of the 15 s default", async () => {
    const id = await sleepJob(700);
    const stream = await readEventStream(`${server.url}/v1/jobs/${id}/events?heartbeatMs=100`, 10_000);
    expect(stream.status).toBe(200);
    expect(heartbeats(stream.text)).toBeGreaterThanOrEqual(3);
    expect(stream.text.trimEnd()).toMatch(/"status":"successful".*\}$/);
  });

  it("keeps the server's default without the parameter", async () => {
    const id = await sleepJob(500);
    expect(heartbeats((await readEventStream(`${server.url}/v1/jobs/${id}/events`, 10_000)).text)).toBe(0);
  });

  it("accepts the bounds", async () => {
    const id = await sleepJob(0);
    for (const value of [100, 60_000]) {
      expect((await readEventStream(`${server.url}/v1/jobs/${id}/events?heartbeatMs=${value}`, 10_000)).status).toBe(200);
    }
  });

  it.each([
    ["99", "must be >= 100"],
    ["60001", "must be <= 60000"],
    ["fast", "must be integer"],
    ["2.5", "must be integer"],
  ])("answers heartbeatMs=%s with 400 validation_failed (%s)", async (value, message) => {
    const id = await sleepJob(0);
    const res = await fetch(`${server.url}/v1/jobs/${id}/events?heartbeatMs=${value}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "/heartbeatMs", message }] });
  });
});
