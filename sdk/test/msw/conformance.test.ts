import { loadCases, runConformance } from "@polybridge/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandlers } from "../../src/msw/index.js";
import { serveHandlers, type ServedHandlers } from "./serveHandlers.js";

// The base URL the handlers are written for; the adapter maps its own address onto it.
const MOCK_BASE = "http://polybridge.mock";
const authCases = loadCases(undefined, ["concurrentWork", "diningPhilosophers", "walkJobPages"]).filter((c) => c.id.startsWith("auth.")).map((c) => c.id);
let served: ServedHandlers;
let servedWithTokens: ServedHandlers;

beforeAll(async () => {
  // Default settings (15 s heartbeats): the heartbeat case asks for its own interval with ?heartbeatMs=.
  const { handlers } = createHandlers({ baseUrl: MOCK_BASE, seed: "conformance" });
  served = await serveHandlers(handlers, MOCK_BASE);
  // As a server started with POLYBRIDGE_AUTH_TOKENS="t1,t2" (health open by default).
  const secured = createHandlers({ baseUrl: MOCK_BASE, seed: "conformance-auth", tokens: ["t1", "t2"], open: ["health"] });
  servedWithTokens = await serveHandlers(secured.handlers, MOCK_BASE);
});
afterAll(async () => {
  await served?.close();
  await servedWithTokens?.close();
});

describe("msw handlers", () => {
  it("pass the whole conformance suite, the same cases as the reference server", { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const report = await runConformance({ url: served.url, log: (line) => lines.push(line), trace: true });
    const failures = report.cases.filter((c) => c.outcome === "failed").map((c) => `${c.id}: ${c.reason ?? ""}`);
    expect(failures, lines.filter((l) => !l.startsWith("PASS")).join("\n")).toEqual([]);
    // Without a token only the auth cases are skipped.
    expect(report.cases.filter((c) => c.outcome === "skipped").map((c) => c.id)).toEqual(authCases);
    expect(report.passed).toBeGreaterThanOrEqual(164);
  });

  it("with tokens, pass it in token mode: every request with t1, the auth and tenant cases (t2) included", { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const report = await runConformance({ url: servedWithTokens.url, token: "t1", otherToken: "t2", log: (line) => lines.push(line), trace: true });
    const failures = report.cases.filter((c) => c.outcome === "failed").map((c) => `${c.id}: ${c.reason ?? ""}`);
    expect(failures, lines.filter((l) => !l.startsWith("PASS")).join("\n")).toEqual([]);
    expect(report.skipped).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(164 + authCases.length);
  });
});
