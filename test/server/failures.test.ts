import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type JobEngine, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";

const fixtures = fileURLToPath(new URL("../fixtures/crashingFunctions.mjs", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "polybridge-crash-"));
let server: RunningServer;
let api: ReturnType<typeof contractClient>;

beforeAll(async () => {
  process.env.POLYBRIDGE_CRASH_MARKER = join(tmp, "marker");
  server = await startServer({ port: 0, workers: 2, functionModules: [fixtures], maxHeapMb: 64 });
  api = contractClient(server.url);
});
afterAll(async () => {
  await server.close(1_000);
  rmSync(tmp, { recursive: true, force: true });
});

const wait = { prefer: "wait=60" };

describe("cancel, timeout, crashes", () => {
  it("cancels a running job, frees its workers, and the next job runs at once", async () => {
    const slow = await api.post("/v1/jobs", { kind: "map", function: "sleep", input: { items: [10_000, 10_000, 10_000, 10_000] }, options: { chunkSize: 1 } });
    await expect.poll(async () => (await api.get(`/v1/jobs/${slow.body.id}`)).body.status).toBe("running");
    const cancelled = await api.del(`/v1/jobs/${slow.body.id}`);
    expect([cancelled.status, cancelled.body.status]).toEqual([200, "dismissed"]);
    expect((await api.del(`/v1/jobs/${slow.body.id}`)).status).toBe(200);
    const result = await api.get(`/v1/jobs/${slow.body.id}/result`);
    expect([result.status, result.body.code]).toEqual([409, "job_dismissed"]);

    // Both workers were stuck in 10 s sleeps; if they were not freed this would take ~10 s.
    const started = Date.now();
    const next = await api.post("/v1/jobs", { kind: "map", function: "sleep", input: { items: [100, 100] }, options: { chunkSize: 1 } }, wait);
    expect(next.body.status).toBe("successful");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("cannot cancel a finished job", async () => {
    const done = await api.post("/v1/jobs", { kind: "map", function: "square", input: { items: [1] } }, wait);
    const r = await api.del(`/v1/jobs/${done.body.id}`);
    expect([r.status, r.body.code]).toEqual([409, "job_already_finished"]);
  });

  it("fails a job that runs past timeoutMs", async () => {
    const r = await api.post("/v1/jobs", { kind: "map", function: "sleep", input: { items: [5_000, 5_000] }, options: { timeoutMs: 300 } }, wait);
    expect(r.body.status).toBe("failed");
    expect(r.body.error.code).toBe("job_timeout");
  });

  it("re-runs the chunk of a worker that called process.exit: the result is exact", async () => {
    const r = await api.post("/v1/jobs", { kind: "map", function: "crashOnce", input: { range: { start: 0, end: 100 } }, options: { chunkSize: 10 } }, wait);
    expect(r.body.status).toBe("successful");
    expect(r.body.result.items).toEqual(Array.from({ length: 100 }, (_, i) => i * i));
  });

  it("re-runs the chunk of a worker that ran out of heap (resourceLimits)", async () => {
    const r = await api.post("/v1/jobs", { kind: "fold", function: "sum", input: { range: { start: 0, end: 10 } } }, wait);
    expect(r.body.result.value).toBe(45);
    const hog = await api.post("/v1/jobs", { kind: "map", function: "hogOnce", input: { range: { start: 0, end: 10 } }, options: { chunkSize: 2 } }, wait);
    expect(hog.body.status).toBe("successful");
    expect(hog.body.result.items).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("gives up after 3 re-runs with worker_crashed", async () => {
    const r = await api.post("/v1/jobs", { kind: "map", function: "crashAlways", input: { items: [1, 2, 3] }, options: { chunkSize: 1 } }, wait);
    expect(r.body.status).toBe("failed");
    expect(r.body.error.code).toBe("worker_crashed");
    expect((await api.post("/v1/functions/square/call", { input: 4 })).body.output).toBe(16);
  });
});

describe("overload and lifetime", () => {
  it("answers 503 queue_full with Retry-After when the queue is full, and loses nothing accepted", async () => {
    const small = await startServer({ port: 0, workers: 1, maxRunningJobs: 1, maxQueuedJobs: 1 });
    const client = contractClient(small.url);
    try {
      const sleepJob = { kind: "map", function: "sleep", input: { items: [300] } };
      const a = await client.post("/v1/jobs", sleepJob);
      const b = await client.post("/v1/jobs", sleepJob);
      const c = await client.post("/v1/jobs", sleepJob);
      expect([a.status, b.status]).toEqual([202, 202]);
      expect([c.status, c.body.code, c.headers.get("retry-after")]).toEqual([503, "queue_full", "1"]);
      expect((await client.settle(a.body.id)).body.status).toBe("successful");
      expect((await client.settle(b.body.id)).body.status).toBe("successful");
    } finally {
      await small.close(1_000);
    }
  });

  it("removes finished jobs after their TTL", async () => {
    const short = await startServer({ port: 0, workers: 1, jobTtlMs: 50 });
    const client = contractClient(short.url);
    try {
      const done = await client.post("/v1/jobs", { kind: "map", function: "square", input: { items: [1] } }, wait);
      (short.engine as JobEngine).sweep(Date.now() + 100);
      expect((await client.get(`/v1/jobs/${done.body.id}`)).status).toBe(404);
    } finally {
      await short.close(1_000);
    }
  });

  it("removes the oldest finished jobs when stored results exceed their budget", async () => {
    const tight = await startServer({ port: 0, workers: 1, maxStoredResultChars: 100 });
    const client = contractClient(tight.url);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const done = await client.post("/v1/jobs", { kind: "map", function: "square", input: { range: { start: 0, end: 12 } } }, wait);
        ids.push(done.body.id);
      }
      // Each result is 58 characters of JSON: with a budget of 100, older ones make room.
      expect((await client.get(`/v1/jobs/${ids[0]}`)).status).toBe(404);
      expect((await client.get(`/v1/jobs/${ids[2]}/result`)).body.items).toHaveLength(12);
    } finally {
      await tight.close(1_000);
    }
  });

  it("on SIGTERM stops accepting, finishes running jobs, exits 0", async () => {
    const cli = fileURLToPath(new URL("../../cli/bin/polybridge.js", import.meta.url));
    const child = spawn(process.execPath, [cli, "serve", "--port", "0", "--workers", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const match = /listening on (\S+)/.exec(chunk.toString());
        if (match?.[1]) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
    });
    const client = contractClient(url);
    const running = await client.post("/v1/jobs", { kind: "map", function: "sleep", input: { items: [800] } });
    await expect.poll(async () => (await client.get(`/v1/jobs/${running.body.id}`)).body.status).toBe("running");
    const events = fetch(`${url}${running.body.links.events}`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGTERM");
    await expect.poll(async () => (await client.get("/v1/health")).body.status).toBe("draining");
    const refused = await client.post("/v1/jobs", { kind: "map", function: "square", input: { items: [1] } });
    expect([refused.status, refused.body.code]).toEqual([503, "shutting_down"]);
    // The running job still finishes and its stream sees the result.
    expect(await events).toContain("event: result");
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
  });
});
