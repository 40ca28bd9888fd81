// Metrics, request ids and logs of the reference server, through the real binary as an operator
// starts it: `polybridge serve --log-level info`, a job sent with X-Request-Id, then /metrics
// scraped and the JSON log lines on stdout read back.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./helpers/serverProcess.js";

const bin = fileURLToPath(new URL("../cli/bin/polybridge.js", import.meta.url));
const crashing = fileURLToPath(new URL("./fixtures/crashingFunctions.mjs", import.meta.url));
let dir = "";
let server: ServerProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "polybridge-observability-"));
  server = await startServerProcess(process.execPath, [bin, "serve", "--port", "0", "--workers", "2", "--log-level", "info", "--functions", crashing], {
    cwd: dir,
    timeoutMs: 30_000,
    env: { POLYBRIDGE_CRASH_MARKER: join(dir, "crash-marker") },
  });
}, 40_000);
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const submit = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server!.url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json", prefer: "wait=30", ...headers }, body: JSON.stringify(body) });

/** `name{labels} value` of a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const logLines = (): Record<string, unknown>[] =>
  server!
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("polybridge serve --log-level info: request ids, logs and /metrics", () => {
  it("echoes a valid X-Request-Id, replaces an invalid one, and generates one otherwise, on every answer", async () => {
    const echoed = await fetch(`${server!.url}/v1/health`, { headers: { "x-request-id": "trace-abc.123:x/y" } });
    expect(echoed.headers.get("x-request-id")).toBe("trace-abc.123:x/y");
    const generated = await fetch(`${server!.url}/v1/nothing-here`);
    expect(generated.status).toBe(404);
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const bad of ["has space", "x".repeat(129), "tab\there"]) {
      const res = await fetch(`${server!.url}/v1/health`, { headers: { "x-request-id": bad } });
      expect(res.headers.get("x-request-id"), bad).not.toBe(bad);
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await fetch(`${server!.url}/v1/health`, { headers: { "x-request-id": "y".repeat(128) } })).headers.get("x-request-id")).toBe("y".repeat(128));
  });

  it("logs one line per job at info, when it ends, with the request id, what the job was and how it went", async () => {
    const res = await submit({ kind: "map", function: "square", input: { items: [1, 2, 3] } }, { "x-request-id": "job-req-1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("job-req-1");
    const job = (await res.json()) as { id: string; status: string };
    expect(job.status).toBe("successful");
    await expect.poll(() => logLines().filter((l) => l.jobId === job.id).map((l) => l.msg), { timeout: 5_000 }).toEqual(["job finished"]);
    const [finished] = logLines().filter((l) => l.jobId === job.id);
    expect(finished).toMatchObject({ level: 30, reqId: "job-req-1", kind: "map", function: "square", totalItems: 3, totalChunks: 1, status: "successful" });
    expect(finished?.durationMs).toBeTypeOf("number");
    const failed = (await (await submit({ kind: "fold", function: "sum", input: { items: [1, "x"] } }, { "x-request-id": "job-req-2" })).json()) as { id: string; status: string };
    expect(failed.status).toBe("failed");
    await expect.poll(() => logLines().filter((l) => l.jobId === failed.id), { timeout: 5_000 }).toEqual([
      expect.objectContaining({ level: 30, msg: "job finished", reqId: "job-req-2", kind: "fold", function: "sum", status: "failed", errorCode: "item_failed" }),
    ]);
    // info does not log every request (debug does).
    expect(logLines().some((l) => l.msg === "request completed")).toBe(false);
  });

  it("puts the request id into the job: the submit answer, GET /v1/jobs/{id} and its SSE status events", async () => {
    const res = await fetch(`${server!.url}/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "abc-123" },
      body: JSON.stringify({ kind: "map", function: "square", input: { items: [1, 2, 3] } }),
    });
    expect(res.status).toBe(202);
    const submitted = (await res.json()) as { id: string; requestId?: string };
    expect(submitted.requestId).toBe("abc-123");
    const got = (await (await fetch(`${server!.url}/v1/jobs/${submitted.id}`, { headers: { "x-request-id": "someone-else" } })).json()) as { requestId?: string };
    expect(got.requestId).toBe("abc-123");
    const stream = await fetch(`${server!.url}/v1/jobs/${submitted.id}/events`, { headers: { accept: "text/event-stream" } });
    expect(stream.status).toBe(200);
    const text = await stream.text(); // the stream ends when the job has finished
    const statuses = text
      .split("\n\n")
      .filter((block) => /^event: status$/m.test(block))
      .map((block) => JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as { status: string; requestId?: string });
    expect(statuses[0]?.requestId).toBe("abc-123");
    expect(statuses.at(-1)?.status).toBe("successful");
    expect(statuses.every((s) => s.requestId === "abc-123")).toBe(true);
    // Without a header the generated id is the one recorded.
    const anonymous = await submit({ kind: "map", function: "square", input: { items: [4] } });
    expect(((await anonymous.json()) as { requestId?: string }).requestId).toBe(anonymous.headers.get("x-request-id"));
  });

  it("GET /metrics: counters, histograms and gauges move with the work done", async () => {
    const before = await (await fetch(`${server!.url}/metrics`)).text();
    const finishedBefore = sample(before, "polybridge_jobs_finished_total", { kind: "map", status: "successful" }) ?? 0;
    // On the workers: a map over crashOnce, whose worker dies once at 7 (the chunk is re-run), and a failed job.
    const crash = await submit({ kind: "map", function: "crashOnce", input: { items: [5, 6, 7, 8] }, options: { chunkSize: 2 } });
    expect(((await crash.json()) as { status: string }).status).toBe("successful");
    const failed = await submit({ kind: "map", function: "fail", input: { items: [1, -1] } });
    expect(((await failed.json()) as { status: string }).status).toBe("failed");
    const res = await fetch(`${server!.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, "polybridge_jobs_finished_total", { kind: "map", status: "successful" })).toBe(finishedBefore + 1);
    expect(sample(text, "polybridge_jobs_finished_total", { kind: "map", status: "failed" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "polybridge_jobs_submitted_total", { kind: "map" })).toBeGreaterThanOrEqual(3);
    expect(sample(text, "polybridge_http_request_duration_seconds_count", { method: "POST", route: "/v1/jobs", status_code: "200" })).toBeGreaterThanOrEqual(3);
    expect(sample(text, "polybridge_http_request_duration_seconds_count", { method: "GET", route: "unmatched", status_code: "404" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "polybridge_chunk_duration_seconds_count", { kind: "map", where: "worker" })).toBeGreaterThanOrEqual(2);
    expect(sample(text, "polybridge_worker_crashes_total")).toBe(1);
    expect(sample(text, "polybridge_chunk_reruns_total")).toBe(1);
    expect(sample(text, "polybridge_jobs_queued")).toBe(0);
    expect(sample(text, "polybridge_jobs_running")).toBe(0);
    expect(sample(text, "polybridge_jobs_stored")).toBeGreaterThanOrEqual(3);
    expect(sample(text, "polybridge_stored_result_bytes")).toBeGreaterThan(0);
    expect(sample(text, "polybridge_worker_pool_threads")).toBe(2);
    expect(sample(text, "polybridge_worker_pool_utilization")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "polybridge_worker_pool_running_tasks")).toBe(0);
    expect(sample(text, "nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(text).toContain("# TYPE nodejs_eventloop_lag_p99_seconds gauge");
  });
});

describe("/metrics with auth on", () => {
  let secured: RunningServer;
  beforeAll(async () => {
    secured = await startServer({ port: 0, workers: 1, auth: { tokens: ["t1"] } });
  });
  afterAll(async () => {
    await secured?.close(1_000);
  });

  it("needs a token like every route that is not open, and carries X-Request-Id on the 401", async () => {
    const refused = await fetch(`${secured.url}/metrics`, { headers: { "x-request-id": "scrape-1" } });
    expect([refused.status, refused.headers.get("x-request-id")]).toEqual([401, "scrape-1"]);
    const scraped = await fetch(`${secured.url}/metrics`, { headers: { authorization: "Bearer t1" } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain("polybridge_jobs_queued 0");
  });
});
