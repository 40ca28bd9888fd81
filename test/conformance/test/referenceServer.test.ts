import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCases, runConformance } from "@polybridge/conformance";

const authCases = loadCases(undefined, ["concurrentWork", "diningPhilosophers", "walkJobPages"]).filter((c) => c.id.startsWith("auth.")).map((c) => c.id);

// The whole suite against the reference server, in process, with no known-failing list.
describe("conformance suite vs the reference server", () => {
  let server: RunningServer;
  beforeAll(async () => {
    // The 15 s default spelled out (whatever POLYBRIDGE_HEARTBEAT_MS says): the heartbeat case asks for its own interval.
    server = await startServer({ port: 0, host: "127.0.0.1", heartbeatMs: 15_000 });
  });
  afterAll(async () => {
    await server?.close(1_000);
  });

  it("passes every case (the auth cases are skipped: no token)", async () => {
    const lines: string[] = [];
    const report = await runConformance({ url: server.url, log: (l) => lines.push(l) });
    const failures = report.cases.filter((c) => c.outcome === "failed").map((c) => `${c.id}: ${c.reason ?? ""}`);
    expect(failures).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(80);
    expect(report.cases.filter((c) => c.outcome === "skipped").map((c) => c.id)).toEqual(authCases);
    expect(lines.at(-1)).toBe(`${report.passed} passed, 0 failed, ${authCases.length} skipped`);
    expect(lines.filter((l) => l.startsWith("PASS ")).length).toBe(report.passed);
    expect(report.durationMs).toBeLessThan(60_000);
  }, 90_000);
});

// Started as every stack is in auth mode: POLYBRIDGE_AUTH_TOKENS="<token>,<otherToken>".
describe("conformance suite vs the reference server with tokens", () => {
  let server: RunningServer;
  beforeAll(async () => {
    const before = process.env.POLYBRIDGE_AUTH_TOKENS;
    process.env.POLYBRIDGE_AUTH_TOKENS = "t1,t2";
    try {
      server = await startServer({ port: 0, host: "127.0.0.1" });
    } finally {
      if (before === undefined) delete process.env.POLYBRIDGE_AUTH_TOKENS;
      else process.env.POLYBRIDGE_AUTH_TOKENS = before;
    }
  });
  afterAll(async () => {
    await server?.close(1_000);
  });

  it("passes every case, the auth and tenant cases included, with every request carrying the token", async () => {
    const lines: string[] = [];
    const report = await runConformance({ url: server.url, token: "t1", otherToken: "t2", log: (l) => lines.push(l) });
    const failures = report.cases.filter((c) => c.outcome === "failed").map((c) => `${c.id}: ${c.reason ?? ""}`);
    expect(failures).toEqual([]);
    expect(report.skipped).toBe(0);
    expect(report.cases.filter((c) => authCases.includes(c.id)).every((c) => c.outcome === "passed")).toBe(true);
  }, 90_000);
});
