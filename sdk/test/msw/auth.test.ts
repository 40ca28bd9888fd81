import { getResponse, type RequestHandler } from "msw";
import { describe, expect, it } from "vitest";
import { createClient, PolybridgeError, type JobRequest } from "../../src/browser.js";
import { createHandlers, MockContractError } from "../../src/msw/index.js";

const BASE = "http://mock.test";

/** A fetch answered by the handlers directly (no interception), for the SDK client and raw checks. */
const fetchVia = (handlers: RequestHandler[]): typeof globalThis.fetch => async (input, init) => {
  const response = await getResponse(handlers, new Request(input, init));
  if (!response) throw new TypeError("no handler");
  return response;
};

const squareJob: JobRequest = { kind: "map", function: "square", input: { items: [1, 2, 3] } };

describe("createHandlers({ tokens })", () => {
  const { handlers, mock, reset } = createHandlers({ baseUrl: BASE, tokens: ["t1", "t2"] });
  const fetch = fetchVia(handlers);
  const raw = (path: string, init: RequestInit = {}) => fetch(`${BASE}${path}`, init);

  it("answers 401 unauthorized with a Bearer challenge, invalid_token when a token was sent", async () => {
    const none = await raw("/v1/jobs");
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toBe("application/problem+json");
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="polybridge"');
    expect(await none.json()).toMatchObject({ code: "unauthorized", status: 401, title: "Authentication required", type: "https://polybridge.dev/problems/unauthorized" });
    for (const authorization of ["Bearer t3", "Basic dDE6", "Bearer", "Bearer t1 t2"]) {
      const wrong = await raw("/v1/jobs", { headers: { authorization } });
      expect([wrong.status, wrong.headers.get("www-authenticate")], authorization).toEqual([401, 'Bearer realm="polybridge", error="invalid_token"']);
    }
    expect((await raw("/v1/jobs", { headers: { authorization: "bearer t2" } })).status).toBe(200);
  });

  it("checks the token before the body, for unknown routes too, and before overrides", async () => {
    const malformed = await raw("/v1/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(malformed.status).toBe(401);
    const media = await raw("/v1/jobs", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect(media.status).toBe(401);
    expect((await raw("/v1/nothing-here")).status).toBe(401);
    expect((await raw("/v1/nothing-here", { headers: { authorization: "Bearer t1" } })).status).toBe(404);
    mock.error("listJobs", 503, { once: true });
    expect((await raw("/v1/jobs")).status).toBe(401);
    reset();
  });

  it("leaves health open by default, and nothing else", async () => {
    expect((await raw("/v1/health")).status).toBe(200);
    expect((await raw("/v1/functions")).status).toBe(401);
  });

  it("keeps each token's jobs, list and idempotency keys apart", async () => {
    const t1 = createClient({ baseUrl: BASE, fetch, token: "t1" });
    const t2 = createClient({ baseUrl: BASE, fetch, token: () => "t2" });
    const job = await t1.jobs.submit(squareJob, { waitSeconds: 5, idempotencyKey: "k" });
    expect((await t1.getJob(job.id)).status).toBe("successful");
    for (const attempt of [() => t2.getJob(job.id), () => t2.getJobResult(job.id), () => t2.cancelJob(job.id)]) {
      const err = await attempt().then(() => undefined, (e: unknown) => PolybridgeError.from(e));
      expect([err?.code, err?.status]).toEqual(["job_not_found", 404]);
    }
    expect((await t1.listJobs()).jobs.map((j) => j.id)).toEqual([job.id]);
    expect((await t2.listJobs()).jobs).toEqual([]);
    const other = await t2.jobs.submit({ kind: "map", function: "square", input: { items: [9] } }, { waitSeconds: 5, idempotencyKey: "k" });
    expect(other.id).not.toBe(job.id);
    expect(other.replayed).toBe(false);
    expect((await t1.jobs.submit(squareJob, { idempotencyKey: "k" })).replayed).toBe(true);
    reset();
  });

  it("surfaces a refused token as the SDK's unauthorized error", async () => {
    const err = await createClient({ baseUrl: BASE, fetch, token: "nope" }).call("square", 2).then(() => undefined, (e: unknown) => PolybridgeError.from(e));
    expect([err?.code, err?.status, err?.retryable]).toEqual(["unauthorized", 401, false]);
  });
});

describe("createHandlers({ tokens, open })", () => {
  it("opens the catalogue when asked, and nothing with open: []", async () => {
    const catalogue = fetchVia(createHandlers({ baseUrl: BASE, tokens: ["t1"], open: ["health", "catalogue"] }).handlers);
    expect((await catalogue(`${BASE}/v1/functions`)).status).toBe(200);
    expect((await catalogue(`${BASE}/v1/functions/square`)).status).toBe(200);
    expect((await catalogue(`${BASE}/v1/functions/square/call`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"input":2}' })).status).toBe(401);
    const closed = fetchVia(createHandlers({ baseUrl: BASE, tokens: ["t1"], open: [] }).handlers);
    expect((await closed(`${BASE}/v1/health`)).status).toBe(401);
  });

  it("without tokens (or only blank ones) is open to everyone, one tenant", async () => {
    const open = fetchVia(createHandlers({ baseUrl: BASE, tokens: [" ", ""] }).handlers);
    expect((await open(`${BASE}/v1/jobs`)).status).toBe(200);
  });

  it("refuses an unknown open group", () => {
    expect(() => createHandlers({ tokens: ["t1"], open: ["jobs" as "health"] })).toThrow(MockContractError);
  });
});
