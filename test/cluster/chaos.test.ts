// Chaos on the scale-out topology: 20 concurrent jobs of every kind (items and ranges), submitted
// to two API nodes, while a worker is SIGKILLed mid-chunk, one API node is SIGKILLed (its jobs are
// taken over by the other once their lease runs out) and Redis (AOF on) is SIGKILLed and
// restarted; every job must end with exactly the result a single-process server gives.
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";
import { startScaleOut, type ScaleOut } from "./startScaleOut.js";
import { startWorkerProcess } from "./workerProcess.js";

let cluster: ScaleOut;
let reference: RunningServer;

beforeAll(async () => {
  [cluster, reference] = await Promise.all([startScaleOut({ aof: true, parallelism: 2, workers: 2, apiNodes: 2, leaseMs: 2_000 }), startServer({ port: 0, workers: 1 })]);
}, 120_000);

afterAll(async () => {
  await reference?.close(1_000);
  await cluster?.stop();
});

const range = (start: number, end: number) => ({ range: { start, end } });
const texts = Array.from({ length: 6_000 }, (_, i) => `w${i % 37} w${i % 11} shared ${i % 5 === 0 ? "five" : "other"}`);

/** 20 requests, 5 kinds × 4 sizes; chunks above 1,024 items so even cheap functions go to the workers. */
function requests(): unknown[] {
  return Array.from({ length: 20 }, (_, i) => {
    const k = i % 5;
    const n = Math.floor(i / 5);
    if (k === 0) return { kind: "fold", function: "countPrimes", input: range(n * 100_000, 1_500_000 + n * 250_000), options: { chunkSize: 100_000, concurrency: 2 } };
    if (k === 1) return { kind: "filter", function: "isPrime", input: range(0, 200_000 + n * 50_000), options: { chunkSize: 20_000 } };
    if (k === 2) return { kind: "map", function: "square", input: range(-n * 1_000, 30_000 + n * 5_000), options: { chunkSize: 2_000 } };
    if (k === 3) return { kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: texts.slice(0, 3_000 + n * 1_000) }, options: { chunkSize: 1_500 } };
    return { kind: "map", function: "sha256", input: { items: Array.from({ length: 400 + n * 100 }, (_, j) => ({ data: `item ${j}`, iterations: 200 })) }, options: { chunkSize: 50 } };
  });
}

describe("chaos: 20 mixed jobs on two API nodes, a worker and an API node SIGKILLed, Redis SIGKILLed and restarted", () => {
  it("ends every job with the single-process result", async () => {
    const api = contractClient(cluster.serve.url);
    const local = contractClient(reference.url);
    const bodies = requests();
    const doomed = contractClient(cluster.serves[1]!.url);
    // Half the jobs are submitted to the node that will be killed.
    const submitted = await Promise.all(bodies.map((body, i) => (i % 2 === 0 ? api : doomed).post("/v1/jobs", body)));
    for (const reply of submitted) expect(reply.status).toBe(202);
    const ids = submitted.map((reply) => reply.body.id as string);
    const pages = () => Promise.all(ids.map((id) => api.get(`/v1/jobs/${id}`)));
    const chunksDone = async (): Promise<number> => (await pages()).reduce((n, page) => n + page.body.progress.completedChunks, 0);
    const totalChunks = submitted.reduce((n, reply) => n + reply.body.progress.totalChunks, 0);
    await expect.poll(chunksDone, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(10);
    await cluster.workers[0]!.kill();
    cluster.workers.push(await startWorkerProcess(cluster.redis.url, ["--workers", "1", "--lock-ms", "2000"]));
    await expect.poll(chunksDone, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(25);
    const runningAtApiKill = (await pages()).filter((page) => page.body.status === "running").length;
    expect(runningAtApiKill).toBeGreaterThan(0);
    cluster.serves[1]!.child.kill("SIGKILL");
    await cluster.serves[1]!.exited(10_000);
    await expect.poll(chunksDone, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(40);
    // Both faults hit jobs still running, not a finished batch.
    const runningAtRedisKill = (await pages()).filter((page) => page.body.status === "running" || page.body.status === "accepted").length;
    expect(runningAtRedisKill).toBeGreaterThan(0);
    const chunksAtRedisKill = await chunksDone();
    await cluster.redis.kill();
    await new Promise((r) => setTimeout(r, 1_000));
    await cluster.redis.restart();
    const settled = await Promise.all(ids.map((id) => api.settle(id, 240_000)));
    let checked = 0;
    for (const [i, done] of settled.entries()) {
      expect(done.body.status, JSON.stringify(done.body.error)).toBe("successful");
      const got = await api.get(`/v1/jobs/${ids[i]}/result`);
      const expected = await local.post("/v1/jobs", bodies[i], { prefer: "wait=60" });
      expect(expected.body.status).toBe("successful");
      expect(got.body, `job ${i} (${JSON.stringify(bodies[i]).slice(0, 80)})`).toEqual(expected.body.result);
      checked++;
    }
    expect(checked).toBe(20);
    console.log(
      `chaos: ${checked} jobs (${totalChunks} chunks) checked exactly against one process; worker SIGKILLed at ≥10 chunks, API node SIGKILLed at ≥25 chunks with ${runningAtApiKill} jobs running (${cluster.serve.output().match(/taken over/g)?.length ?? 0} orchestrations taken over), Redis SIGKILLed at ${chunksAtRedisKill} chunks with ${runningAtRedisKill} jobs unfinished`,
    );
    for (const log of cluster.logs()) expect(log).not.toMatch(/MaxListenersExceededWarning|Unhandled error event/);
  }, 360_000);
});
