import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TransportRequest } from "@polybridge/sdk";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCases, runConformance, type ConformanceReport } from "@polybridge/conformance";
import { readKnownFailing } from "../src/readKnownFailing.js";
import { brokenTransport, type ClientBreakage } from "./brokenTransport.js";
import { startBrokenProxy } from "./startBrokenProxy.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const knownFailing = fileURLToPath(new URL("./sdk-known-failing.txt", import.meta.url));

const failedIds = (r: ConformanceReport): string[] => r.cases.filter((c) => c.outcome === "failed").map((c) => c.id).sort();
const reasonOf = (r: ConformanceReport, id: string): string | undefined => r.cases.find((c) => c.id === id)?.reason;
const outcomeOf = (r: ConformanceReport, id: string): string | undefined => r.cases.find((c) => c.id === id)?.outcome;

// The ordered map cases: reversing map items fails these, and not the empty ones.
const orderedMapCases = [
  "jobs.map.items", "jobs.map.items-order", "jobs.map.order-many-chunks", "jobs.map.range", "jobs.map.range-negative-step",
  "jobs.map.range-negative-values", "jobs.map.range-step", "jobs.map.result-endpoint", "jobs.map.structured-items",
];

// Client bugs, put into the SDK's transport on purpose.
const dropIdempotencyKey: ClientBreakage = {
  request: (req) => {
    const { ["idempotency-key"]: _dropped, ...headers } = req.headers;
    return { ...req, headers };
  },
};
const reverseMapItems: ClientBreakage = {
  json: (_req, body) => {
    const b = body as { kind?: unknown; items?: unknown[]; result?: { kind?: unknown; items?: unknown[] } };
    const result = b.result?.kind === "map" ? b.result : b.kind === "map" ? b : undefined;
    if (Array.isArray(result?.items)) result.items = [...result.items].reverse();
    return body;
  },
};
// A client that loses a required field while decoding: strict validation must catch it.
const dropJobProgress: ClientBreakage = {
  json: (req: TransportRequest, body) => {
    if (req.path.startsWith("/v1/jobs") && typeof body === "object" && body !== null && "progress" in body) delete (body as { progress?: unknown }).progress;
    return body;
  },
};

describe("the suite through the TypeScript SDK (client: sdk)", () => {
  let server: RunningServer;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    server = await startServer({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await server?.close(1_000);
  });
  const broken = (breakage: ClientBreakage) => {
    const transport = brokenTransport(server.url, breakage);
    closers.push(() => transport.close());
    return transport;
  };

  it("passes every case the SDK can express and skips the rest with the rule's reason", async () => {
    const lines: string[] = [];
    const report = await runConformance({ url: server.url, client: "sdk", knownFailing, log: (l) => lines.push(l) });
    console.log(`SDK mode vs the reference server: ${report.passed} passed, ${report.failed} failed (known SDK bugs), ${report.skipped} skipped`);
    expect(report.client).toBe("sdk");
    expect(report.unexpected).toEqual([]);
    expect(failedIds(report)).toEqual([...readKnownFailing(knownFailing)].sort());
    expect(report.passed + report.failed + report.skipped).toBe(loadCases(undefined, ["concurrentWork", "diningPhilosophers", "walkJobPages"]).length);
    // Auth cases are skipped for want of a token (no server auth here), not by the SDK rule.
    const sdkSkipped = report.cases.filter((c) => c.outcome === "skipped" && !c.reason?.startsWith("needs a token"));
    expect(report.passed).toBeGreaterThan(sdkSkipped.length * 4);
    expect(lines.at(-1)).toBe(`${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`);

    // Every skip carries the reason the rule gave; one case per rule.
    const skipped = report.cases.filter((c) => c.outcome === "skipped");
    expect(skipped.filter((c) => !c.reason)).toEqual([]);
    expect(reasonOf(report, "bad-input.malformed-json-job")).toBe("step 1: sends a raw body (bodyRaw); the SDK only sends JSON it serialises itself");
    expect(reasonOf(report, "bad-input.payload-too-large")).toMatch(/^step 1: sends a padded body of 17000000 bytes \(bodyBytes\)/);
    expect(reasonOf(report, "bad-input.unknown-route")).toBe("step 1: GET /v1/nothing-here is not an operation of the spec");
    expect(reasonOf(report, "bad-input.method-not-allowed")).toBe("step 1: PUT /v1/health is not an operation of the spec");
    expect(reasonOf(report, "bad-input.bad-url-encoding")).toMatch(/is not valid percent-encoding/);
    expect(reasonOf(report, "events.heartbeat")).toBe("step 2: counts heartbeat comments, which the SDK does not surface");
    expect(reasonOf(report, "prefer.location-matches-id")).toBe("step 1: captures response header 'location', which the SDK does not read");
    expect(lines).toContain("SKIP bad-input.malformed-json-call: step 1: sends a raw body (bodyRaw); the SDK only sends JSON it serialises itself");

    // What the SDK reads is checked, not skipped: replay flag, Retry-After on errors, SSE, problems.
    for (const id of ["idempotency.replay-same-job", "errors.result-not-ready", "events.order-success", "events.bad-last-event-id", "events.heartbeat-out-of-range", "call.unknown-function", "concurrency.many-jobs", "concurrency.many-calls", "list.walk-all-pages"]) {
      expect.soft(outcomeOf(report, id), id).toBe("passed");
    }
  }, 120_000);

  it("a transport that drops Idempotency-Key fails the replay cases in SDK mode only", async () => {
    const runIds = ["idempotency.*"];
    const http = await runConformance({ url: server.url, run: runIds, log: () => {} });
    const sdk = await runConformance({ url: server.url, client: "sdk", sdkTransport: broken(dropIdempotencyKey), run: runIds, log: () => {} });
    expect(failedIds(http)).toEqual([]);
    expect(failedIds(sdk)).toEqual(["idempotency.conflict", "idempotency.replay-same-job"]);
    expect(reasonOf(sdk, "idempotency.conflict")).toMatch(/^POST \/v1\/jobs → 200: status: expected 422, got 200/);
    expect(reasonOf(sdk, "idempotency.replay-same-job")).toMatch(/header idempotent-replayed: expected "true", got nothing; body\/id: expected "job_/);
  }, 60_000);

  it("a transport that reverses map items fails the ordered map cases in SDK mode only", async () => {
    const http = await runConformance({ url: server.url, run: ["jobs.map.*"], log: () => {} });
    const sdk = await runConformance({ url: server.url, client: "sdk", sdkTransport: broken(reverseMapItems), run: ["jobs.map.*"], log: () => {} });
    expect(failedIds(http)).toEqual([]);
    expect(failedIds(sdk)).toEqual(orderedMapCases);
    expect(sdk.passed).toBe(3); // range-empty, range-wrong-direction, items-empty
  }, 60_000);

  it("strict validation turns a client that mis-decodes a valid answer into an sdk: failure", async () => {
    const runIds = ["jobs.fold.items", "health.ok"];
    const http = await runConformance({ url: server.url, run: runIds, log: () => {} });
    const sdk = await runConformance({ url: server.url, client: "sdk", sdkTransport: broken(dropJobProgress), run: runIds, log: () => {} });
    expect(failedIds(http)).toEqual([]);
    expect(failedIds(sdk)).toEqual(["jobs.fold.items"]);
    expect(reasonOf(sdk, "jobs.fold.items")).toMatch(/^sdk: POST \/v1\/jobs → 200: response_invalid: submitJob .*progress/s);
  }, 60_000);

  it("a server bug fails the same cases in both modes", async () => {
    const proxy = await startBrokenProxy(server.url, {
      json: (_req, res) => ({ status: res.status, body: reverseMapItems.json?.({} as TransportRequest, res.body) }),
    });
    closers.push(() => proxy.close());
    const http = await runConformance({ url: proxy.url, run: ["jobs.map.*"], log: () => {} });
    const sdk = await runConformance({ url: proxy.url, client: "sdk", run: ["jobs.map.*"], log: () => {} });
    expect(failedIds(http)).toEqual(orderedMapCases);
    expect(failedIds(sdk)).toEqual(orderedMapCases);
  }, 60_000);

  it("the CLI takes --client sdk and refuses other clients", async () => {
    const { stdout } = await run(process.execPath, [cli, "--url", server.url, "--client", "sdk", "--run", "bad-input.malformed-json-call,call.square"]);
    const lines = stdout.trim().split("\n");
    expect(lines).toContain("PASS call.square");
    expect(lines).toContain("SKIP bad-input.malformed-json-call: step 1: sends a raw body (bodyRaw); the SDK only sends JSON it serialises itself");
    expect(lines.at(-1)).toMatch(/^1 passed, 0 failed, \d+ skipped$/);
    const bad = await run(process.execPath, [cli, "--url", server.url, "--client", "grpc"]).then(() => ({ code: 0, stderr: "" }), (e: { code: number; stderr: string }) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--client/);
  }, 60_000);
});
