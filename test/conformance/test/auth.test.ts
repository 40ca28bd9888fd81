import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCases, runConformance, type ConformanceReport } from "@polybridge/conformance";
import { startBearerGate, type BearerGate } from "./startBearerGate.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const knownFailing = fileURLToPath(new URL("./sdk-known-failing.txt", import.meta.url));
const TOKEN = "conformance-token-1";
const OTHER = "conformance-token-2";

const authCases = loadCases(undefined, ["concurrentWork", "diningPhilosophers", "walkJobPages"]).filter((c) => c.id.startsWith("auth.")).map((c) => c.id);
const tenantCases = authCases.filter((id) => id.startsWith("auth.tenant."));
const idsOf = (r: ConformanceReport, outcome: string): string[] => r.cases.filter((c) => c.outcome === outcome).map((c) => c.id).sort();
const failures = (r: ConformanceReport): string[] => r.cases.filter((c) => c.outcome === "failed").map((c) => `${c.id}: ${c.reason ?? ""}`);

// Token mode of the runner, before every stack has auth: the reference server (no auth) behind a
// gate that refuses, with 401, every request but health that lacks the token. A request the
// runner sent without the token fails its case; the 401 cases pass against the gate.
describe("the runner with --token / --other-token", () => {
  let server: RunningServer;
  let gate: BearerGate;
  beforeAll(async () => {
    server = await startServer({ port: 0, host: "127.0.0.1" });
    gate = await startBearerGate(server.url, TOKEN);
  });
  afterAll(async () => {
    await gate?.close();
    await server?.close(1_000);
  });

  it("has auth cases, tenant ones among them", () => {
    expect(authCases.length).toBeGreaterThanOrEqual(10);
    expect(tenantCases.length).toBeGreaterThanOrEqual(4);
  });

  it("without a token, skips exactly the auth cases, each with the reason, and counts them as neither passed nor failed", async () => {
    const lines: string[] = [];
    const report = await runConformance({ url: server.url, run: ["auth.*", "health.*"], log: (l) => lines.push(l) });
    expect(report.unexpected).toEqual([]);
    expect(idsOf(report, "failed")).toEqual([]);
    expect(idsOf(report, "passed")).toEqual(["health.ok", "health.status-ok"]);
    const skipped = report.cases.filter((c) => c.id.startsWith("auth."));
    expect(skipped.map((c) => c.outcome)).toEqual(authCases.map(() => "skipped"));
    for (const c of skipped) expect(c.reason).toMatch(/^needs a token \(--token\)/);
    expect(lines).toContain("SKIP auth.no-token: needs a token (--token): an authentication case, run against a server started with tokens");
  });

  it("with a token, every request of every case carries it: behind the gate the suite does as well as without it", { timeout: 120_000 }, async () => {
    const direct = await runConformance({ url: server.url, log: () => {} });
    const lines: string[] = [];
    const report = await runConformance({ url: gate.url, token: TOKEN, log: (l) => lines.push(l) });
    // A request without the token would be refused and fail its case; so the same cases fail (none, normally).
    expect(failures(report).map((f) => f.split(":")[0]), lines.filter((l) => !l.startsWith("PASS")).join("\n")).toEqual(idsOf(direct, "failed"));
    // The tenant cases need the other token; every other auth case ran and passed.
    expect(idsOf(report, "skipped")).toEqual([...tenantCases].sort());
    for (const c of report.cases.filter((r) => tenantCases.includes(r.id))) expect(c.reason).toMatch(/^needs an other token \(--other-token\)/);
    expect(idsOf(report, "passed")).toEqual(expect.arrayContaining(authCases.filter((id) => !tenantCases.includes(id))));
    expect(report.passed).toBe(direct.passed + authCases.length - tenantCases.length);
    // Only the auth cases' own requests (auth: none / wrong) were refused.
    expect(gate.refused.length).toBeGreaterThan(0);
    expect(gate.refused.every((r) => /^(GET|POST|DELETE) \/v1\/(jobs|functions\/square\/call|nothing-here)/.test(r)), gate.refused.join("\n")).toBe(true);
  });

  it("in SDK mode the client's token option carries it, event streams included", { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const direct = await runConformance({ url: server.url, client: "sdk", knownFailing, log: () => {} });
    const report = await runConformance({ url: gate.url, token: TOKEN, client: "sdk", knownFailing, log: (l) => lines.push(l) });
    expect(report.unexpected.map((u) => u.id), lines.filter((l) => !l.startsWith("PASS")).join("\n")).toEqual(direct.unexpected.map((u) => u.id));
    for (const id of ["auth.every-operation", "auth.before-body-invalid", "auth.health-open", "auth.token-accepted", "events.order-success", "idempotency.replay-same-job"]) {
      expect.soft(report.cases.find((c) => c.id === id)?.outcome, id).toBe("passed");
    }
    // Cases that check WWW-Authenticate (a header the SDK does not read) stay with HTTP mode.
    expect(report.cases.find((c) => c.id === "auth.no-token")?.reason).toBe("step 1: expects response header 'www-authenticate', which the SDK does not read");
  });

  it("against a server without auth the auth cases fail: they are not vacuous", async () => {
    const report = await runConformance({ url: server.url, token: TOKEN, otherToken: OTHER, run: ["auth.*"], log: () => {} });
    // Health and the spec being open and the token being accepted hold for a server without auth too.
    const holdAnyway = ["auth.health-open", "auth.spec-open", "auth.token-accepted"];
    expect(idsOf(report, "passed")).toEqual(holdAnyway);
    expect(idsOf(report, "failed")).toEqual(authCases.filter((id) => !holdAnyway.includes(id)).sort());
  });

  it("wire traces name the token's role, never the token itself", async () => {
    const lines: string[] = [];
    await runConformance({ url: server.url, token: TOKEN, otherToken: OTHER, run: ["auth.tenant.job-hidden", "auth.wrong-token"], trace: true, log: (l) => lines.push(l) });
    const text = lines.join("\n");
    expect(text).toContain("> authorization: Bearer <token>");
    expect(text).toContain("> authorization: Bearer <otherToken>");
    expect(text).toContain("> authorization: Bearer <wrong token>");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(OTHER);
  });

  it("refuses an other token without a token, or the same token twice", async () => {
    await expect(runConformance({ url: server.url, otherToken: OTHER, log: () => {} })).rejects.toThrow(/otherToken needs token/);
    await expect(runConformance({ url: server.url, token: TOKEN, otherToken: TOKEN, log: () => {} })).rejects.toThrow(/must differ/);
  });

  it("the CLI takes --token and --other-token", async () => {
    const { stdout } = await run(process.execPath, [cli, "--url", gate.url, "--token", TOKEN, "--run", "auth.no-token,auth.every-operation,jobs.map.items,auth.tenant.list"]);
    expect(stdout).toContain("PASS auth.every-operation");
    expect(stdout).toContain("SKIP auth.tenant.list: needs an other token (--other-token)");
    expect(stdout.trim().split("\n").at(-1)).toMatch(/^3 passed, 0 failed, \d+ skipped$/);
    const usage = await run(process.execPath, [cli, "--url", gate.url, "--other-token", OTHER]).then(() => ({ code: 0, stderr: "" }), (e: { code: number; stderr: string }) => e);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/otherToken needs token/);
  });
});
