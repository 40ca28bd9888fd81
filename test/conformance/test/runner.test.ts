import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance, type ConformanceReport } from "@polybridge/conformance";
import { startBrokenProxy, type Tamper } from "./startBrokenProxy.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

// Breakages, each with the cases it must fail (and, by the `run` globs, the ones it must not).
const unknownFunctionIs500: Tamper = {
  json: (_req, res) => {
    const code = (res.body as { code?: unknown }).code;
    if (code !== "function_not_found") return undefined;
    return { status: 500, body: { type: "https://polybridge.dev/problems/internal_error", title: "Internal server error", status: 500, code: "internal_error" } };
  },
};
const unknownFunctionCases = ["bad-input.unknown-function-job", "call.unknown-function", "catalogue.unknown-function", "jobs.mapreduce.unknown-reducer"];
const unknownFunctionRun = ["catalogue.*", "call.*", "jobs.mapreduce.*", "bad-input.unknown-*", "bad-input.wrong-kind-*"];

const reverseMapOutput: Tamper = {
  json: (_req, res) => {
    const body = res.body as { kind?: unknown; items?: unknown[]; result?: { kind?: unknown; items?: unknown[] } };
    const result = body.result?.kind === "map" ? body.result : body.kind === "map" && Array.isArray(body.items) ? body : undefined;
    if (!result?.items) return undefined;
    result.items = [...result.items].reverse();
    return { status: res.status, body };
  },
};

const dropProgress: Tamper = {
  json: (req, res) => {
    const body = res.body as { progress?: unknown };
    if (!req.path.startsWith("/v1/jobs") || body.progress === undefined) return undefined;
    delete body.progress;
    return { status: res.status, body };
  },
};

const noHeartbeats: Tamper = { sse: (chunk) => chunk.replace(/^: ?heartbeat\n\n?/gm, "") };

const failedIds = (r: ConformanceReport): string[] => r.cases.filter((c) => c.outcome === "failed").map((c) => c.id).sort();

describe("the runner against deliberately broken servers", () => {
  let server: RunningServer;
  const proxies: Array<{ close(): Promise<void> }> = [];
  const tmp = mkdtempSync(join(tmpdir(), "conformance-runner-"));
  const proxy = async (tamper: Tamper): Promise<string> => {
    const p = await startBrokenProxy(server.url, tamper);
    proxies.push(p);
    return p.url;
  };

  beforeAll(async () => {
    server = await startServer({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await server?.close(1_000);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("a proxy that changes nothing fails nothing", async () => {
    const report = await runConformance({ url: await proxy({}), run: ["jobs.map.*", "events.order-success"], log: () => {} });
    expect(failedIds(report)).toEqual([]);
    expect(report.passed).toBeGreaterThan(5);
  });

  it("answering 500 for unknown functions fails exactly the function_not_found cases", async () => {
    const lines: string[] = [];
    const report = await runConformance({ url: await proxy(unknownFunctionIs500), run: unknownFunctionRun, log: (l) => lines.push(l) });
    expect(failedIds(report)).toEqual(unknownFunctionCases);
    expect(report.unexpected.map((u) => u.id).sort()).toEqual(unknownFunctionCases);
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL call\.unknown-function: POST \/v1\/functions\/noSuchFunction\/call → 500: status: expected 404, got 500/));
    expect(lines.at(-1)).toBe(`${report.passed} passed, 4 failed, ${report.skipped} skipped`);
    expect(report.skipped).toBeGreaterThan(0);
  });

  it("reversing map output fails the ordered map cases but not the empty ones", async () => {
    const report = await runConformance({ url: await proxy(reverseMapOutput), run: ["jobs.map.*"], log: () => {} });
    expect(failedIds(report)).toEqual([
      "jobs.map.items", "jobs.map.items-order", "jobs.map.order-many-chunks", "jobs.map.range", "jobs.map.range-negative-step",
      "jobs.map.range-negative-values", "jobs.map.range-step", "jobs.map.result-endpoint", "jobs.map.structured-items",
    ]);
    expect(report.passed).toBe(3); // range-empty, range-wrong-direction, items-empty
  });

  it("a contract break fails the case with the validator's message", async () => {
    const report = await runConformance({ url: await proxy(dropProgress), run: ["jobs.fold.items", "health.ok"], log: () => {} });
    expect(failedIds(report)).toEqual(["jobs.fold.items"]);
    expect(report.cases.find((c) => c.id === "jobs.fold.items")?.reason).toMatch(/^contract: POST \/v1\/jobs → 200: submitJob: \/ must have required property 'progress'/);
  });

  it("an event stream without heartbeats fails only the heartbeat case", async () => {
    const report = await runConformance({ url: await proxy(noHeartbeats), run: ["events.*"], log: () => {} });
    expect(failedIds(report)).toEqual(["events.heartbeat"]);
    expect(report.cases.find((c) => c.id === "events.heartbeat")?.reason).toMatch(/heartbeats: expected gte 2, got 0/);
  });

  it("a known-failing list makes listed failures expected and reports listed cases that pass", async () => {
    const known = join(tmp, "known-failing.txt");
    writeFileSync(known, `# broken on purpose\n${unknownFunctionCases.join("\n")}\ncatalogue.sorted-by-name  # passes: must be reported\n`);
    const lines: string[] = [];
    const jsonFile = join(tmp, "report.json");
    const report = await runConformance({ url: await proxy(unknownFunctionIs500), run: unknownFunctionRun, knownFailing: known, jsonFile, log: (l) => lines.push(l) });
    expect(failedIds(report)).toEqual(unknownFunctionCases);
    expect(report.unexpected).toEqual([{ id: "catalogue.sorted-by-name", reason: expect.stringMatching(/listed as known failing/) }]);
    expect(lines).toContain("PASS catalogue.sorted-by-name (known failing)");
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL catalogue\.unknown-function: .* \(known failing\)$/));
    const saved = JSON.parse(readFileSync(jsonFile, "utf8")) as ConformanceReport;
    expect({ passed: saved.passed, failed: saved.failed, skipped: saved.skipped }).toEqual({ passed: report.passed, failed: 4, skipped: report.skipped });
    expect(saved.cases.find((c) => c.id === "call.unknown-function")?.trace?.[0]?.response?.status).toBe(500);
  });

  it("--trace prints the wire trace of failing cases only", async () => {
    const lines: string[] = [];
    await runConformance({ url: await proxy(unknownFunctionIs500), run: ["call.unknown-function", "call.square"], trace: true, log: (l) => lines.push(l) });
    const text = lines.join("\n");
    expect(text).toContain("    > POST /v1/functions/noSuchFunction/call");
    expect(text).toContain('    > {"input":1}');
    expect(text).toContain("    < 500");
    expect(text).toMatch(/ {4}< \{"type":"https:\/\/polybridge\.dev\/problems\/internal_error"/);
    expect(text).not.toContain("> POST /v1/functions/square/call");
  });

  it("the standalone CLI exits 0 only when nothing unexpected happened", async () => {
    const url = await proxy(unknownFunctionIs500);
    const args = [cli, "--url", url, "--run", "call.unknown-function,call.square"];
    const failing = await run(process.execPath, args).then(() => ({ code: 0, stdout: "" }), (e: { code: number; stdout: string }) => e);
    expect(failing.code).toBe(1);
    expect(failing.stdout.trim().split("\n").at(-1)).toMatch(/^1 passed, 1 failed, \d+ skipped$/);
    const known = join(tmp, "cli-known.txt");
    writeFileSync(known, "call.unknown-function\n");
    const ok = await run(process.execPath, [...args, "--known-failing", known]);
    expect(ok.stdout).toContain("PASS call.square");
    const usage = await run(process.execPath, [cli]).then(() => ({ code: 0 }), (e: { code: number }) => e);
    expect(usage.code).not.toBe(0);
  });
});
