// Redis with AOF is SIGKILLed mid-job and started again: the job resumes and ends exact; while
// Redis is down a synchronous call, a job's status and a submission are refused at once (503
// problem+json with Retry-After), the node keeps answering health, which says `redis: down`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";
import { startScaleOut, type ScaleOut } from "./startScaleOut.js";

let cluster: ScaleOut;

beforeAll(async () => {
  cluster = await startScaleOut({ aof: true, parallelism: 2, workers: 2 });
}, 120_000);

afterAll(() => cluster?.stop());

describe("Redis with AOF restarted mid-job", () => {
  it("refuses calls with 503 while it is down, then the job resumes and ends exact", async () => {
    const api = contractClient(cluster.serve.url);
    const job = await api.post("/v1/jobs", { kind: "fold", function: "countPrimes", input: { range: { start: 0, end: 8_000_000 } }, options: { chunkSize: 250_000, concurrency: 2 } });
    await expect.poll(async () => (await api.get(`/v1/jobs/${job.body.id}`)).body.progress.completedChunks, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(2);
    await cluster.redis.kill();
    const killedAt = Date.now();
    // isPrime runs on the workers (square is cheap and runs on the API node itself, Redis or not).
    await expect
      .poll(async () => (await api.post("/v1/functions/isPrime/call", { input: 97 })).status, { timeout: 10_000, interval: 100 })
      .toBe(503);
    const refused = await api.post("/v1/functions/isPrime/call", { input: 97 });
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(refused.body.code).toBe("queue_full");
    // A call sent just before the outage was noticed is refused too, not held to the 60 s call timeout.
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const health = await api.get("/v1/health");
    expect(health.status).toBe(200);
    expect(health.body.redis).toBe("down");
    // Jobs live in Redis: their status is refused the same way (503, Retry-After), never a hang or a 500.
    const status = await api.get(`/v1/jobs/${job.body.id}`);
    expect(status.status).toBe(503);
    expect(status.body.code).toBe("queue_full");
    expect(Number(status.headers.get("retry-after"))).toBeGreaterThan(0);
    const submit = await api.post("/v1/jobs", { kind: "map", function: "square", input: { items: [1] } });
    expect(submit.status).toBe(503);
    // Redis stays down until every process has seen the outage: a worker learns of it at its next
    // reconnection attempt, which on a loaded machine came after a quick restart (CI once saw a
    // worker log neither line). Each must still say it exactly once, and say when Redis is back.
    await expect.poll(() => cluster.logs().filter((log) => !/Redis unreachable/.test(log)).length, { timeout: 30_000, interval: 100 }).toBe(0);
    await cluster.redis.restart();
    const done = await api.settle(job.body.id, 120_000);
    expect(done.body.status).toBe("successful");
    expect((await api.get(`/v1/jobs/${job.body.id}/result`)).body.value).toBe(539_777);
    expect((await api.post("/v1/functions/isPrime/call", { input: 97 })).body.output).toBe(true);
    expect((await api.get("/v1/health")).body.redis).toBe("up");
    for (const log of cluster.logs()) {
      expect(log).not.toMatch(/MaxListenersExceededWarning|Unhandled error event/);
      expect(log.match(/Redis unreachable/g)?.length ?? 0, log).toBe(1);
      expect(log).toMatch(/Redis is back/);
    }
  }, 240_000);
});
