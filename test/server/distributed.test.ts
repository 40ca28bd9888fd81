import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "@polybridge/server";
import { BullMQExecutor } from "@polybridge/server/distributed";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";
import { startRedis } from "../helpers/startRedis.js";

const cli = fileURLToPath(new URL("../../cli/bin/polybridge.js", import.meta.url));
let redis: Awaited<ReturnType<typeof startRedis>>;
let server: RunningServer;
let api: ReturnType<typeof contractClient>;
const workers: ChildProcess[] = [];

/** Starts `polybridge worker` and resolves once it takes chunks. */
function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, "worker", "--redis", redis.url, "--workers", "1", "--lock-ms", "1000"], { stdio: ["ignore", "pipe", "inherit"] });
  workers.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("taking chunks") && resolve(child));
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

beforeAll(async () => {
  redis = await startRedis();
  const executor = new BullMQExecutor({ redisUrl: redis.url, parallelism: 2 });
  await executor.ready();
  server = await startServer({ port: 0, executor });
  api = contractClient(server.url);
  await Promise.all([startWorkerProcess(), startWorkerProcess()]);
}, 180_000);

afterAll(async () => {
  await server?.close(1_000);
  for (const worker of workers) worker.kill("SIGKILL");
  redis?.stop();
});

const wait = { prefer: "wait=60" };

describe("scale-out on Redis + BullMQ (polybridge serve --redis, polybridge worker)", () => {
  it("runs jobs of every kind on worker processes, exactly", async () => {
    const map = await api.post("/v1/jobs", { kind: "map", function: "square", input: { range: { start: 0, end: 1000 } }, options: { chunkSize: 100 } }, wait);
    expect(map.body.result.items).toEqual(Array.from({ length: 1000 }, (_, i) => i * i));
    const fold = await api.post("/v1/jobs", { kind: "fold", function: "countPrimes", input: { range: { start: 0, end: 100_000 } } }, wait);
    expect(fold.body.result.value).toBe(9592);
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
    workers[0]?.kill("SIGKILL");
    const done = await api.settle(submitted.body.id, 60_000);
    expect(done.body.status).toBe("successful");
    expect((await api.get(`/v1/jobs/${submitted.body.id}/result`)).body.items).toEqual(Array.from({ length: 8 }, () => 400));
  });
});
