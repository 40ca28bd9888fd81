import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "@polybridge/conformance";

// The whole suite against the reference server, in process, with no known-failing list.
describe("conformance suite vs the reference server", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, host: "127.0.0.1", heartbeatMs: 500 });
  });
  afterAll(async () => {
    await server?.close(1_000);
  });

  it("passes every case", async () => {
    const lines: string[] = [];
    const report = await runConformance({ url: server.url, log: (l) => lines.push(l) });
    const failures = report.cases.filter((c) => c.outcome === "failed").map((c) => `${c.id}: ${c.reason ?? ""}`);
    expect(failures).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(80);
    expect(report.skipped).toBe(0);
    expect(lines.at(-1)).toBe(`${report.passed} passed, 0 failed`);
    expect(lines.filter((l) => l.startsWith("PASS ")).length).toBe(report.passed);
    expect(report.durationMs).toBeLessThan(60_000);
  }, 90_000);
});
