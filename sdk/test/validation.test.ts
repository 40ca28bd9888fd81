import { describe, expect, it } from "vitest";
import { createClient, PolybridgeError } from "@polybridge/sdk";
import { validateResponse } from "@polybridge/sdk/validate";
import { job, json, problem, scriptedFetch, sse } from "./scriptedFetch.js";

const baseUrl = "http://polybridge.test";
const drifted = job("j1", "running", 1, { progress: { completedChunks: "1", totalChunks: 2, completedItems: 1, totalItems: 2 } });

describe("validate", () => {
  it("strict: a drifted answer throws response_invalid naming the path and the schema", async () => {
    const fetch = scriptedFetch(() => json(200, drifted));
    const err = await createClient({ baseUrl, fetch, validate: "strict" }).jobs.get("j1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolybridgeError);
    expect((err as PolybridgeError).code).toBe("response_invalid");
    expect((err as PolybridgeError).message).toMatch(/getJob \(GET \/v1\/jobs\/\{id\}\) → 200 application\/json does not match Job:\n {2}at \/progress\/completedChunks: .*number/);
  });

  it("warn: reports the drift and still returns the data", async () => {
    const warnings: string[] = [];
    const fetch = scriptedFetch(() => json(200, drifted));
    const data = await createClient({ baseUrl, fetch, validate: "warn", onWarning: (m) => warnings.push(m) }).jobs.get("j1");
    expect(data.id).toBe("j1");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("/progress/completedChunks");
  });

  it("off (default): no checks", async () => {
    const fetch = scriptedFetch(() => json(200, drifted));
    await expect(createClient({ baseUrl, fetch }).jobs.get("j1")).resolves.toMatchObject({ id: "j1" });
  });

  it("reports drift in an error body without hiding the server's error", async () => {
    const warnings: string[] = [];
    const fetch = scriptedFetch(() => problem(404, "no_such_code"));
    const err = await createClient({ baseUrl, fetch, validate: "strict", onWarning: (m) => warnings.push(m) }).jobs.get("j1").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "unexpected_response", status: 404 });
    expect(warnings[0]).toMatch(/at \/code: /);
  });

  it("checks job events against JobEvent", async () => {
    const fetch = scriptedFetch(() => sse(`id: 1\nevent: progress\ndata: {"jobId":"j1"}\n\n`));
    const events = createClient({ baseUrl, fetch, validate: "strict" }).jobs.events("j1");
    await expect(events.next()).rejects.toMatchObject({ code: "response_invalid", message: expect.stringMatching(/at \/data\/progress: /) });
    expect(fetch.calls).toHaveLength(1);
  }, 5_000);

  it("validateResponse flags undeclared statuses and media types", () => {
    expect(validateResponse("getHealth", 200, "text/plain", "ok")).toMatch(/content type 'text\/plain' is not declared/);
    expect(validateResponse("cancelJob", 204, null, undefined)).toMatch(/status 204 is not declared \(declared: 200, 404, 409, 4XX, 5XX\)/);
    expect(validateResponse("getHealth", 200, "application/json", { status: "ok", version: "1", uptimeSeconds: 1, workers: 1, jobs: { queued: 0, running: 0, stored: 0 } })).toBeUndefined();
  });
});
