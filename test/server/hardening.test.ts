// What an outside probe found (issue 10), each as a request a user or attacker can send: bad bytes,
// slow and lying clients, tricky values, other tenants, other origins, floods. The process-level
// faults (throwing combine, busy loops, heap limits, signals) are in test/hardening/.
import { connect } from "node:net";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";

/** Writes raw bytes to the server and returns what it answered before closing (or `timeoutMs`). */
function raw(url: string, bytes: string | Buffer, timeoutMs = 5_000): Promise<{ head: string; body: string; closedMs: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    let out = "";
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const at = out.indexOf("\r\n\r\n");
      resolve({ head: at < 0 ? out : out.slice(0, at), body: at < 0 ? "" : out.slice(at + 4), closedMs: Date.now() - started });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (out += chunk));
    socket.on("close", done);
    socket.on("error", done);
  });
}

const problemOf = (body: string): { code: string; status: number } => JSON.parse(body) as { code: string; status: number };

describe("one process against bad bytes and tricky values", () => {
  let server: RunningServer;
  let api: ReturnType<typeof contractClient>;

  beforeAll(async () => {
    server = await startServer({ port: 0, workers: 2, requestTimeoutMs: 1_500, headersTimeoutMs: 1_000, auth: { tokens: [] } });
    api = contractClient(server.url);
  });
  afterAll(async () => {
    await server.close(1_000);
  });

  it("answers a Content-Length over the limit with 413 at once, without waiting for a body that never comes", async () => {
    const reply = await raw(server.url, "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20971520\r\n\r\n");
    expect(reply.head).toMatch(/^HTTP\/1\.1 413/);
    expect(reply.head.toLowerCase()).toContain("content-type: application/problem+json");
    expect(problemOf(reply.body).code).toBe("payload_too_large");
    expect(reply.closedMs).toBeLessThan(3_000);
  });

  it("answers Expect: 100-continue with 413 instead of 100 Continue when the body is too large", async () => {
    const reply = await raw(server.url, "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 20971520\r\n\r\n");
    expect(reply.head).toMatch(/^HTTP\/1\.1 413/);
    expect(reply.head).not.toContain("100 Continue");
    expect(problemOf(reply.body).code).toBe("payload_too_large");
  });

  it("still says 100 Continue to a small body that waits for it, then runs the request", async () => {
    const reply = await raw(server.url, 'POST /v1/functions/square/call HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: 12\r\n\r\n{"input": 3}');
    expect(reply.head).toMatch(/^HTTP\/1\.1 100 Continue/);
    expect(reply.body).toContain('"output":9');
  });

  it("drops a client that trickles its body after the request timeout, with 408 problem+json", async () => {
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    let out = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (out += chunk));
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.write("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
    const trickle = setInterval(() => socket.writable && socket.write(" "), 200);
    const started = Date.now();
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    clearInterval(trickle);
    // Node checks request timers once a second: 1.5 s timeout + up to 1 s of check interval.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(out).toMatch(/^HTTP\/1\.1 408/);
    expect(problemOf(out.slice(out.indexOf("{"))).code).toBe("request_timeout");
    expect((await api.get("/v1/health")).status).toBe(200);
  });

  it.each([
    ["a garbage request line", "GARBAGE\r\n\r\n", 400, "malformed_request"],
    ["a non-numeric Content-Length", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "malformed_request"],
    ["both Transfer-Encoding and Content-Length", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "malformed_request"],
    ["an HTTP/1.1 request without Host", "GET /v1/health HTTP/1.1\r\n\r\n", 400, "validation_failed"],
    ["headers over the size limit", `GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431, "headers_too_large"],
  ])("answers %s with problem+json", async (_name, bytes, status, code) => {
    const reply = await raw(server.url, bytes);
    expect(reply.head).toMatch(new RegExp(`^HTTP/1\\.1 ${status}`));
    expect(reply.head.toLowerCase()).toContain("content-type: application/problem+json");
    expect(problemOf(reply.body)).toMatchObject({ code, status });
  });

  it("refuses a body that is not valid UTF-8 as invalid_json", async () => {
    const body = Buffer.concat([Buffer.from('{"input":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await fetch(`${server.url}/v1/functions/echo/call`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_json");
  });

  it("answers a path parameter over 1,000 characters with 400 validation_failed", async () => {
    const reply = await api.get(`/v1/jobs/${"a".repeat(1_200)}`);
    expect([reply.status, reply.body.code]).toEqual([400, "validation_failed"]);
  });

  it("counts the words 'constructor' and '__proto__' like any other (null-prototype maps)", async () => {
    const job = await api.post("/v1/jobs", { kind: "fold", function: "wordFrequency", input: { items: ["constructor hello constructor", "toString"] } }, { prefer: "wait=10" });
    expect(job.body.result.value).toEqual({ constructor: 2, hello: 1, tostring: 1 });
    const call = await api.post("/v1/functions/wordFrequency/call", { input: [{ constructor: 1 }, "constructor valueOf"] });
    expect(call.body.output).toEqual({ constructor: 2, valueof: 1 });
  });

  it("fails an item whose result is not a finite number, on every path, never answering null", async () => {
    const map = await api.post("/v1/jobs", { kind: "map", function: "square", input: { items: [2, 1e200] } }, { prefer: "wait=10" });
    expect(map.body.status).toBe("failed");
    expect(map.body.error).toMatchObject({ code: "item_failed", itemIndex: 1, detail: expect.stringContaining("non-finite") });
    const fold = await api.post("/v1/jobs", { kind: "fold", function: "sum", input: { items: [1, 1e308, 1e308] } }, { prefer: "wait=10" });
    expect(fold.body.error).toMatchObject({ code: "item_failed", itemIndex: 2 });
    // Across chunks the overflow happens in combine: still a failed item, not null.
    const combined = await api.post("/v1/jobs", { kind: "fold", function: "sum", input: { items: [1e308, 1e308] }, options: { chunkSize: 1 } }, { prefer: "wait=10" });
    expect(combined.body.error).toMatchObject({ code: "item_failed", detail: expect.stringContaining("non-finite") });
    const words = await api.post("/v1/jobs", { kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a"] } }, { prefer: "wait=10" });
    expect(words.body.result.entries).toEqual([["a", 1]]);
    const call = await api.post("/v1/functions/sum/call", { input: [1e308, 1e308] });
    expect([call.status, call.body.code]).toEqual([422, "function_failed"]);
    expect(call.body.detail).toContain("non-finite");
  });
});

describe("bearer tokens, tenants, CORS and rate limits", () => {
  let server: RunningServer;
  let api: ReturnType<typeof contractClient>;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      workers: 1,
      auth: { tokens: ["alice-token", "bob-token"], open: ["health", "catalogue"] },
      corsOrigins: ["http://app.example"],
      rateLimitPerMinute: 40,
    });
    api = contractClient(server.url);
  });
  afterAll(async () => {
    await server.close(1_000);
  });

  it("answers 401 problem+json with a Bearer challenge, before looking at the body", async () => {
    const none = await api.send("POST", "/v1/jobs", { body: "{not json", headers: { "content-type": "application/json" } });
    expect([none.status, none.body.code]).toEqual([401, "unauthorized"]);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="polybridge"');
    const wrong = await api.get("/v1/jobs", as("mallory"));
    expect([wrong.status, wrong.headers.get("www-authenticate")]).toEqual([401, 'Bearer realm="polybridge", error="invalid_token"']);
    expect((await api.get("/v1/jobs", { authorization: "Basic YWxpY2U6eA==" })).status).toBe(401);
  });

  it("leaves the open groups open and serves the right token", async () => {
    expect((await api.get("/v1/health")).status).toBe(200);
    expect((await api.get("/v1/functions/square")).status).toBe(200);
    expect((await api.post("/v1/functions/square/call", { input: 2 })).status).toBe(401);
    expect((await api.post("/v1/functions/square/call", { input: 2 }, { authorization: "bearer alice-token" })).body.output).toBe(4);
  });

  it("keeps each token's jobs, lists and idempotency keys to itself", async () => {
    const body = { kind: "map", function: "square", input: { items: [1, 2] } };
    const mine = await api.post("/v1/jobs", body, { ...as("alice-token"), "idempotency-key": "k-1", prefer: "wait=10" });
    expect(mine.body.status).toBe("successful");
    const id = mine.body.id as string;
    for (const path of [`/v1/jobs/${id}`, `/v1/jobs/${id}/result`, `/v1/jobs/${id}/events`]) {
      const seen = await api.get(path, as("bob-token"));
      expect([path, seen.status, seen.body.code]).toEqual([path, 404, "job_not_found"]);
    }
    expect((await api.send("DELETE", `/v1/jobs/${id}`, { headers: as("bob-token") })).status).toBe(404);
    expect((await api.get("/v1/jobs", as("bob-token"))).body.jobs.map((j: { id: string }) => j.id)).not.toContain(id);
    expect((await api.get("/v1/jobs", as("alice-token"))).body.jobs.map((j: { id: string }) => j.id)).toContain(id);
    // The same key with another body under another token is another tenant's first use, not a conflict.
    const bobs = await api.post("/v1/jobs", { ...body, input: { items: [3] } }, { ...as("bob-token"), "idempotency-key": "k-1" });
    expect(bobs.status).toBe(202);
    expect(bobs.body.id).not.toBe(id);
    const replay = await api.post("/v1/jobs", body, { ...as("alice-token"), "idempotency-key": "k-1" });
    expect([replay.body.id, replay.headers.get("idempotent-replayed")]).toEqual([id, "true"]);
  });

  it("answers CORS preflights from an allowed origin and exposes the protocol's headers", async () => {
    const preflight = await fetch(`${server.url}/v1/jobs`, {
      method: "OPTIONS",
      headers: { origin: "http://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, prefer" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    const submit = await fetch(`${server.url}/v1/jobs`, {
      method: "POST",
      headers: { origin: "http://app.example", "content-type": "application/json", ...as("alice-token") },
      body: JSON.stringify({ kind: "map", function: "square", input: { items: [1] } }),
    });
    expect(submit.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(submit.headers.get("access-control-expose-headers")).toMatch(/location.*retry-after/);
    const { id } = (await submit.json()) as { id: string };
    const events = await fetch(`${server.url}/v1/jobs/${id}/events`, { headers: { origin: "http://app.example", ...as("alice-token") } });
    expect(events.headers.get("content-type")).toContain("text/event-stream");
    expect(events.headers.get("access-control-allow-origin")).toBe("http://app.example");
    await events.body?.cancel();
    const other = await fetch(`${server.url}/v1/health`, { headers: { origin: "http://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers 429 rate_limited with Retry-After past the per-token limit, health exempt", async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 60 && !limited; i++) {
      const res = await fetch(`${server.url}/v1/jobs?limit=1`, { headers: as("bob-token") });
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(limited?.status).toBe(429);
    expect(limited?.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited?.json()) as { code: string }).code).toBe("rate_limited");
    // Another token has its own budget; health is never limited.
    expect((await fetch(`${server.url}/v1/jobs?limit=1`, { headers: as("alice-token") })).status).toBe(200);
    expect((await fetch(`${server.url}/v1/health`)).status).toBe(200);
  });
});
