import { getResponse } from "msw";
import { setupServer } from "msw/node";
import { defineUnary, z } from "@polybridge/core/functions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { allowedErrorStatuses, createHandlers, MockContractError, type MockControls } from "../../src/msw/index.js";

const BASE = "http://mock.test";
const shout = defineUnary({ name: "shout", description: "Upper-cases a string.", input: z.string(), output: z.string(), run: (s) => s.toUpperCase() });
const { handlers, mock, reset } = createHandlers({ baseUrl: BASE, seed: 7, functions: [shout] });
const server = setupServer(...handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => reset());
afterAll(() => server.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const squareJob = { kind: "map", function: "square", input: { items: [1, 2, 3] } };

describe("mock.error", () => {
  it("answers the problem with Retry-After, once, then the protocol resumes", async () => {
    mock.error("submitJob", 503, { code: "queue_full", retryAfter: 2, once: true });
    const refused = await post("/v1/jobs", squareJob);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("2");
    expect(await refused.json()).toMatchObject({ code: "queue_full", status: 503, retryAfterSeconds: 2, type: "https://polybridge.dev/problems/queue_full" });
    expect((await post("/v1/jobs", squareJob)).status).toBe(202);
  });

  it("lasts for `times` requests, and only for its operation", async () => {
    mock.error("getHealth", 500, { times: 2 });
    expect((await fetch(`${BASE}/v1/functions`)).status).toBe(200);
    expect((await fetch(`${BASE}/v1/health`)).status).toBe(500);
    expect((await fetch(`${BASE}/v1/health`)).status).toBe(500);
    expect((await fetch(`${BASE}/v1/health`)).status).toBe(200);
  });

  it("refuses a status the operation does not declare, or a code of another status", () => {
    const untyped = mock as unknown as { error(op: string, status: number, options?: object): MockControls };
    expect(() => untyped.error("submitJob", 418)).toThrow(MockContractError);
    expect(() => untyped.error("submitJob", 418)).toThrow(/submitJob cannot answer 418/);
    expect(() => untyped.error("submitJob", 503, { code: "job_failed" })).toThrow(/'job_failed' does not have status 503/);
    expect(allowedErrorStatuses("getJobResult")).toContain(409);
    expect(allowedErrorStatuses("getJobResult")).not.toContain(418);
  });
});

describe("mock.reply and mock.networkError", () => {
  it("serves a valid canned body and refuses one the contract does not allow", async () => {
    mock.reply("getFunction", { name: "square", kind: "unary", description: "canned", inputSchema: {}, outputSchema: {} }, { once: true });
    expect(await (await fetch(`${BASE}/v1/functions/square`)).json()).toMatchObject({ description: "canned" });
    expect(await (await fetch(`${BASE}/v1/functions/square`)).json()).toMatchObject({ description: "Squares a number." });
    const untyped = mock as unknown as { reply(op: string, body: unknown): MockControls };
    expect(() => untyped.reply("getJob", { id: "x" })).toThrow(/getJob → 200: the body is not a valid Job/);
  });

  it("drops the connection", async () => {
    mock.networkError("listJobs", { once: true });
    await expect(fetch(`${BASE}/v1/jobs`)).rejects.toThrow(TypeError);
    expect((await fetch(`${BASE}/v1/jobs`)).status).toBe(200);
  });
});

describe("mock.job", () => {
  it("ends the next job as failed with the given error, without running the function", async () => {
    mock.job({ status: "failed", error: { code: "item_failed", itemIndex: 1, detail: "mocked" } }, { once: true });
    const failed = await (await post("/v1/jobs", squareJob, { prefer: "wait=5" })).json();
    expect(failed).toMatchObject({ status: "failed", error: { code: "item_failed", itemIndex: 1, detail: "mocked", status: 422, jobId: failed.id } });
    const result = await fetch(`${BASE}/v1/jobs/${failed.id}/result`);
    expect(result.status).toBe(409);
    expect(await result.json()).toMatchObject({ code: "job_failed" });
    expect(await (await post("/v1/jobs", squareJob, { prefer: "wait=5" })).json()).toMatchObject({ status: "successful", result: { items: [1, 4, 9] } });
  });

  it("forces a result, and keeps a job running for ever", async () => {
    mock.job({ status: "successful", result: { kind: "map", items: [42] } }, { once: true });
    expect(await (await post("/v1/jobs", squareJob, { prefer: "wait=5" })).json()).toMatchObject({ result: { items: [42] } });
    mock.job({ status: "running" }, { once: true });
    const stuck = await post("/v1/jobs", squareJob, { prefer: "wait=1" });
    expect(stuck.status).toBe(202);
    expect(await stuck.json()).toMatchObject({ status: "running", progress: { completedChunks: 0 } });
  });

  it("refuses a result or error the contract does not allow", () => {
    expect(() => mock.job({ status: "successful", result: { kind: "sort" } as never })).toThrow(/not a valid JobResult/);
    expect(() => mock.job({ status: "failed", error: { code: "no_such_code" as never } })).toThrow(MockContractError);
  });
});

describe("mock.delay", () => {
  it("holds answers of one operation", async () => {
    mock.delay(150, { operation: "getHealth", once: true });
    const started = performance.now();
    await fetch(`${BASE}/v1/functions`);
    expect(performance.now() - started).toBeLessThan(150);
    await fetch(`${BASE}/v1/health`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });
});

describe("the in-memory engine", () => {
  it("runs the tester's own functions next to the conformance set", async () => {
    const call = await (await post("/v1/functions/shout/call", { input: "hey" })).json();
    expect(call).toMatchObject({ function: "shout", output: "HEY" });
    const names = ((await (await fetch(`${BASE}/v1/functions`)).json()) as { functions: Array<{ name: string }> }).functions.map((f) => f.name);
    expect(names).toEqual(["diningPhilosophers", "echo", "fail", "isEven", "shout", "sleep", "square", "sum", "tokenize"]);
  });

  it("gives the same ids for the same seed, other ids for another, and reset() restarts them", async () => {
    const first = (await (await post("/v1/jobs", squareJob)).json()) as { id: string };
    const idFrom = async (seed: number): Promise<string> => {
      const twin = createHandlers({ baseUrl: "http://twin.test", seed });
      const answer = await getResponse(twin.handlers, new Request("http://twin.test/v1/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(squareJob) }));
      twin.reset();
      return ((await answer?.json()) as { id: string }).id;
    };
    expect(await idFrom(7)).toBe(first.id);
    expect(await idFrom(8)).not.toBe(first.id);
    reset();
    expect((await fetch(`${BASE}/v1/jobs/${first.id}`)).status).toBe(404);
    expect(((await (await post("/v1/jobs", squareJob)).json()) as { id: string }).id).toBe(first.id);
  });

  it("shows progress step by step with delayMs", async () => {
    const slow = createHandlers({ baseUrl: "http://slow.test", delayMs: 40 });
    const ask = async (path: string, init?: RequestInit): Promise<{ id: string; status: string; progress: { completedItems: number } }> =>
      (await (await getResponse(slow.handlers, new Request(`http://slow.test${path}`, init)))?.json()) as never;
    try {
      const job = await ask("/v1/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...squareJob, options: { chunkSize: 1, concurrency: 1 } }) });
      expect(job.status).toBe("accepted");
      const seen = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const now = await ask(`/v1/jobs/${job.id}`);
        seen.add(now.progress.completedItems);
        if (now.status === "successful") break;
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    } finally {
      slow.reset();
    }
  });
});
