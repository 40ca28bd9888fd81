import { describe, expect, it } from "vitest";
import { createClient, PolybridgeError } from "@polybridge/sdk";
import { hang, job, json, networkError, problem, scriptedFetch } from "./scriptedFetch.js";

const baseUrl = "http://polybridge.test";
const health = { status: "ok", version: "1", uptimeSeconds: 1, workers: 2, jobs: { queued: 0, running: 0, stored: 0 } };
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

async function failure(p: Promise<unknown>): Promise<PolybridgeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PolybridgeError);
    return e as PolybridgeError;
  }
  throw new Error("expected a rejection");
}

describe("retries", () => {
  it.each([429, 502, 503, 504])("retries a GET answered %i, then succeeds", async (status) => {
    const fetch = scriptedFetch(() => problem(status, status === 429 ? "queue_full" : "internal_error"), () => json(200, health));
    const client = createClient({ baseUrl, fetch, retry: fast });
    await expect(client.getHealth()).resolves.toEqual(health);
    expect(fetch.calls).toHaveLength(2);
  });

  it("does not retry a GET answered 500 or 404", async () => {
    for (const [status, code] of [[500, "internal_error"], [404, "job_not_found"]] as const) {
      const fetch = scriptedFetch(() => problem(status, code));
      const err = await failure(createClient({ baseUrl, fetch, retry: fast }).getJob("j1"));
      expect([err.code, err.status, err.retryable, fetch.calls.length]).toEqual([code, status, false, 1]);
    }
  });

  it("honours Retry-After (seconds) between attempts", async () => {
    const fetch = scriptedFetch(() => problem(503, "queue_full", { "retry-after": "1" }), () => json(200, health));
    await createClient({ baseUrl, fetch, retry: fast }).getHealth();
    const [first, second] = fetch.calls;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it("gives up at once when Retry-After is longer than maxRetryAfterMs", async () => {
    const fetch = scriptedFetch(() => problem(503, "shutting_down", { "retry-after": "120" }));
    const err = await failure(createClient({ baseUrl, fetch, retry: fast }).getHealth());
    expect([err.code, err.retryAfterMs, fetch.calls.length]).toEqual(["shutting_down", 120_000, 1]);
  });

  it("never repeats a synchronous call (POST without an idempotency key)", async () => {
    const fetch = scriptedFetch(() => problem(503, "queue_full"));
    const err = await failure(createClient({ baseUrl, fetch, retry: fast }).call("square", 3));
    expect([err.code, err.retryable, fetch.calls.length]).toEqual(["queue_full", true, 1]);
  });

  it("retries a job submission with the same Idempotency-Key; a new submit gets a new key", async () => {
    const fetch = scriptedFetch(networkError, () => json(202, job("j1", "accepted")));
    const client = createClient({ baseUrl, fetch, retry: fast });
    const handle = await client.jobs.submit({ kind: "map", function: "square", input: { items: [1, 2] } });
    expect(handle.id).toBe("j1");
    const [a, b] = fetch.calls;
    expect(a!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(b!.headers["idempotency-key"]).toBe(a!.headers["idempotency-key"]);
    await client.jobs.submit({ kind: "map", function: "square", input: { items: [1] } });
    expect(fetch.calls[2]!.headers["idempotency-key"]).not.toBe(a!.headers["idempotency-key"]);
  });

  it("reports a network error after the last attempt", async () => {
    const fetch = scriptedFetch(networkError);
    const err = await failure(createClient({ baseUrl, fetch, retry: { ...fast, attempts: 4 } }).getHealth());
    expect([err.code, err.retryable, err.status, fetch.calls.length]).toEqual(["network", true, undefined, 4]);
  });

  it("retry: false makes one attempt", async () => {
    const fetch = scriptedFetch(networkError);
    await failure(createClient({ baseUrl, fetch, retry: false }).getHealth());
    expect(fetch.calls).toHaveLength(1);
  });
});

describe("timeouts and aborts", () => {
  it("times out a hanging request with code timeout", async () => {
    const fetch = scriptedFetch(hang);
    const started = Date.now();
    const err = await failure(createClient({ baseUrl, fetch, timeoutMs: 100 }).getHealth());
    expect(err.code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("timeoutMs bounds the retries too", async () => {
    const fetch = scriptedFetch(() => problem(503, "queue_full", { "retry-after": "2" }));
    const started = Date.now();
    const err = await failure(createClient({ baseUrl, fetch, timeoutMs: 300 }).getHealth());
    expect(err.code).toBe("queue_full");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("stops on AbortSignal, also while backing off", async () => {
    const controller = new AbortController();
    const fetch = scriptedFetch(() => problem(503, "queue_full", { "retry-after": "5" }));
    const pending = createClient({ baseUrl, fetch }).getHealth({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await failure(pending);
    expect([err.code, fetch.calls.length]).toEqual(["aborted", 1]);
  });

  it("an already-aborted signal sends nothing", async () => {
    const fetch = scriptedFetch(() => json(200, health));
    const err = await failure(createClient({ baseUrl, fetch }).getHealth({ signal: AbortSignal.abort() }));
    expect([err.code, fetch.calls.length]).toEqual(["aborted", 0]);
  });
});

describe("errors from answers", () => {
  it("keeps the problem body, status and code", async () => {
    const fetch = scriptedFetch(() => problem(422, "function_failed", {}, { detail: 'fail: "boom"' }));
    const err = await failure(createClient({ baseUrl, fetch }).call("fail", "boom"));
    expect([err.code, err.status, err.problem?.detail, err.message]).toEqual(["function_failed", 422, 'fail: "boom"', 'function_failed: fail: "boom"']);
  });

  it("turns a non-problem error page into unexpected_response", async () => {
    const fetch = scriptedFetch(() => new Response("<h1>Bad gateway</h1>", { status: 502, headers: { "content-type": "text/html" } }));
    const err = await failure(createClient({ baseUrl, fetch, retry: false }).getHealth());
    expect([err.code, err.status, err.retryable]).toEqual(["unexpected_response", 502, true]);
  });
});

describe("requests", () => {
  it("builds paths, query strings and headers from the operation table", async () => {
    const fetch = scriptedFetch(() => json(200, { jobs: [], nextCursor: null }));
    const client = createClient({ baseUrl: `${baseUrl}/compute/`, fetch, token: () => "t0k", headers: { "X-App": "demo" } });
    await client.jobs.list({ status: "running", limit: 5 });
    await client.request("getFunction", { path: { name: "a b" } }).catch(() => undefined);
    expect(fetch.calls[0]!.url).toBe(`${baseUrl}/compute/v1/jobs?status=running&limit=5`);
    expect(fetch.calls[0]!.headers).toMatchObject({ authorization: "Bearer t0k", "x-app": "demo", accept: "application/json" });
    expect(fetch.calls[1]!.url).toBe(`${baseUrl}/compute/v1/functions/a%20b`);
  });

  it("sends call bodies as JSON with the function's server-side timeout", async () => {
    const fetch = scriptedFetch(() => json(200, { function: "square", output: 9, durationMs: 0.1 }));
    await expect(createClient({ baseUrl, fetch }).call("square", 3, { functionTimeoutMs: 50 })).resolves.toBe(9);
    expect(fetch.calls[0]).toMatchObject({ method: "POST", body: '{"input":3,"timeoutMs":50}' });
    expect(fetch.calls[0]!.headers["content-type"]).toBe("application/json");
  });
});
