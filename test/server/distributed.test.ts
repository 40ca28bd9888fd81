import { startServer, type RunningServer } from "@polybridge/server";
import { BullMQExecutor } from "@polybridge/server/distributed";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";
import { startRedis } from "../helpers/startRedis.js";
import { startWorkerProcess, type WorkerProcess } from "../cluster/workerProcess.js";

let redis: Awaited<ReturnType<typeof startRedis>>;
let server: RunningServer;
let api: ReturnType<typeof contractClient>;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const executor = new BullMQExecutor({ redisUrl: redis.url, parallelism: 2 });
  await executor.ready();
  server = await startServer({ port: 0, executor });
  api = contractClient(server.url);
  workers = await Promise.all([0, 1].map(() => startWorkerProcess(redis.url, ["--workers", "1", "--lock-ms", "1000"])));
}, 180_000);

afterAll(async () => {
  await server?.close(1_000);
  await Promise.all(workers.map((worker) => worker.kill()));
  redis?.stop();
});

const wait = { prefer: "wait=60" };

describe("scale-out on Redis + BullMQ (polybridge serve --redis, polybridge worker)", () => {
  it("runs jobs of every kind on worker processes, exactly", async () => {
    const map = await api.post("/v1/jobs", { kind: "map", function: "square", input: { range: { start: 0, end: 1000 } }, options: { chunkSize: 100 } }, wait);
    expect(map.body.result.items).toEqual(Array.from({ length: 1000 }, (_, i) => i * i));
    const fold = await api.post("/v1/jobs", { kind: "fold", function: "countPrimes", input: { range: { start: 0, end: 100_000 } } }, wait);
    expect(fold.body.result.value).toBe(9592);
    // Listed numbers in big chunks (packed on the way, see chunkSource) arrive on the workers as the list.
    const listed = Array.from({ length: 12_000 }, (_, i) => (i % 2 ? i / 4 : -i));
    const squared = await api.post("/v1/jobs", { kind: "map", function: "square", input: { items: listed }, options: { chunkSize: 5_000 } }, wait);
    expect(squared.body.result.items).toEqual(listed.map((x) => x * x));
    const words = await api.post("/v1/jobs", { kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a b", "b"] } }, wait);
    expect(words.body.result.entries).toEqual([["a", 1], ["b", 2]]);
    const failed = await api.post("/v1/jobs", { kind: "map", function: "fail", input: { items: [1, -2] }, options: { chunkSize: 1 } }, wait);
    expect(failed.body.error).toMatchObject({ code: "item_failed", itemIndex: 1 });
    const call = await api.post("/v1/functions/sha256/call", { input: { data: "abc" } });
    expect(call.body.output, JSON.stringify(call.body)).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("cancels chunks running on another machine and frees that worker", async () => {
    const slow = await api.post("/v1/jobs", { kind: "map", function: "sleep", input: { items: [10_000, 10_000] }, options: { chunkSize: 1 } });
    await expect.poll(async () => (await api.get(`/v1/jobs/${slow.body.id}`)).body.status).toBe("running");
    await new Promise((r) => setTimeout(r, 300));
    expect((await api.del(`/v1/jobs/${slow.body.id}`)).body.status).toBe("dismissed");
    const started = Date.now();
    const next = await api.post("/v1/jobs", { kind: "map", function: "sleep", input: { items: [50, 50] }, options: { chunkSize: 1 } }, wait);
    expect(next.body.status).toBe("successful");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("re-runs the chunks of a worker process that died: the result is exact", async () => {
    const submitted = await api.post("/v1/jobs", { kind: "map", function: "sleep", input: { items: Array.from({ length: 8 }, () => 400) }, options: { chunkSize: 1 } });
    await expect.poll(async () => (await api.get(`/v1/jobs/${submitted.body.id}`)).body.progress.completedChunks, { timeout: 10_000 }).toBeGreaterThan(0);
    await workers[0]?.kill();
    const done = await api.settle(submitted.body.id, 60_000);
    expect(done.body.status).toBe("successful");
    expect((await api.get(`/v1/jobs/${submitted.body.id}/result`)).body.items).toEqual(Array.from({ length: 8 }, () => 400));
  });

  it("drops a reply that does not answer the waiting attempt and queues the chunk again", async () => {
    // A rogue worker on a private queue: its first reply carries a wrong token (what a reply for
    // another attempt, or one from before a Redis data loss, looks like), the next ones are right.
    const queueName = "forged-replies";
    const executor = new BullMQExecutor({ redisUrl: redis.url, queueName, sweepMs: 200, log: () => undefined });
    await executor.ready();
    let calls = 0;
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const rogue = new Worker(
      queueName,
      async (job) => ({ id: String(job.id), token: calls++ === 0 ? "forged" : (job.data as { token: string }).token, outcome: { ok: true, kind: "fold", value: calls } }),
      { connection },
    );
    try {
      const task = { kind: "fold" as const, fn: "countPrimes", offset: 0, source: { range: { start: 0, step: 1, count: 10 } } };
      const outcome = await executor.runChunk(task, new AbortController().signal);
      expect(outcome).toEqual({ ok: true, kind: "fold", value: 2 });
      expect(executor.stats()).toMatchObject({ waiting: 0 });
      expect(executor.stats().dropped).toBeGreaterThanOrEqual(1);
    } finally {
      await rogue.close();
      connection.disconnect();
      await executor.close();
    }
  });

  it("queues a chunk again when Redis forgot its entry (two sweeps in a row found none) and says so once", async () => {
    const queueName = "forgotten-chunks";
    const lines: string[] = [];
    const executor = new BullMQExecutor({ redisUrl: redis.url, queueName, sweepMs: 200, log: (line) => lines.push(line) });
    await executor.ready();
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const admin = new Queue(queueName, { connection });
    let worker: Worker | undefined;
    const workerConnection = connection.duplicate();
    try {
      const task = { kind: "fold" as const, fn: "countPrimes", offset: 0, source: { range: { start: 0, step: 1, count: 10 } } };
      const outcome = executor.runChunk(task, new AbortController().signal);
      // No worker yet: the entry waits; then it is lost, as in a restart of Redis without persistence.
      await expect.poll(async () => (await admin.getWaiting()).length).toBe(1);
      const [lost] = await admin.getWaiting();
      await lost?.remove();
      await expect.poll(() => executor.stats().requeued, { timeout: 5_000 }).toBe(1);
      const [again] = await admin.getWaiting();
      expect(again?.id).not.toBe(lost?.id);
      worker = new Worker(queueName, async (job) => ({ id: String(job.id), token: (job.data as { token: string }).token, outcome: { ok: true, kind: "fold", value: 4 } }), { connection: workerConnection });
      await expect(outcome).resolves.toEqual({ ok: true, kind: "fold", value: 4 });
      expect(lines.filter((line) => /1 chunk\(s\) were lost by Redis/.test(line))).toHaveLength(1);
    } finally {
      await worker?.close();
      await admin.close();
      workerConnection.disconnect();
      connection.disconnect();
      await executor.close();
    }
  });
});
