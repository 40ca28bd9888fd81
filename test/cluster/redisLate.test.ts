// `polybridge serve --redis` started before its Redis (a machine booting, a Redis being
// replaced): the node listens at once, refuses job requests and worker calls with 503
// problem+json and Retry-After, says `redis: down` in health, and takes jobs once Redis is there;
// then it sizes chunks by what its orchestrations measured on the workers.
import { afterAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";
import { startServerProcess, type ServerProcess } from "../helpers/serverProcess.js";
import { RedisProcess } from "./RedisProcess.js";
import { cliBin, startWorkerProcess, type WorkerProcess } from "./workerProcess.js";

let redis: RedisProcess | undefined;
let serve: ServerProcess | undefined;
let worker: WorkerProcess | undefined;

afterAll(async () => {
  await serve?.stop(20_000).catch(() => undefined);
  await worker?.kill();
  await redis?.stop();
});

describe("serve --redis before Redis is up", () => {
  it("listens at once, answers 503 with Retry-After and health redis: down, then runs jobs once Redis is there", async () => {
    redis = await RedisProcess.reserve();
    const started = Date.now();
    serve = await startServerProcess(process.execPath, [cliBin, "serve", "--redis", redis.url, "--parallelism", "1", "--port", "0"], { cwd: process.cwd(), timeoutMs: 30_000 });
    expect(Date.now() - started).toBeLessThan(30_000);
    const api = contractClient(serve.url);
    const health = await api.get("/v1/health");
    expect(health.status).toBe(200);
    expect(health.body.redis).toBe("down");
    for (const refused of [await api.post("/v1/jobs", { kind: "map", function: "square", input: { items: [1, 2] } }), await api.post("/v1/functions/isPrime/call", { input: 97 }), await api.get("/v1/jobs")]) {
      expect(refused.status).toBe(503);
      expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(refused.body.code).toBe("queue_full");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    await redis.restart();
    worker = await startWorkerProcess(redis.url, ["--workers", "1"]);
    await expect.poll(async () => (await api.get("/v1/health")).body.redis, { timeout: 20_000, interval: 100 }).toBe("up");
    const job = await api.post("/v1/jobs", { kind: "fold", function: "countPrimes", input: { range: { start: 0, end: 100_000 } } }, { prefer: "wait=60" });
    expect(job.body.status).toBe("successful");
    expect(job.body.result.value).toBe(9592);
    expect((await api.post("/v1/functions/isPrime/call", { input: 97 })).body.output).toBe(true);
    const log = serve.output();
    expect(log.match(/Redis unreachable/g)?.length ?? 0, log).toBe(1);
    expect(log).toMatch(/Redis is back/);
    // 503s are expected while Redis is away: no error line (level 50) per refused request.
    expect(log).not.toMatch(/"level":50/);
    expect(log).not.toMatch(/Unhandled error event|MaxListenersExceededWarning/);
  }, 120_000);

  it("sizes later jobs' chunks from what its orchestrations measured: a small job of a fast function becomes one chunk", async () => {
    const api = contractClient(serve!.url);
    const small = { kind: "map", function: "isPrime", input: { items: [1, 2, 3, 4, 5, 6, 7, 8] } };
    const first = await api.post("/v1/jobs", small, { prefer: "wait=30" });
    expect(first.body.result.items).toEqual([false, true, true, false, true, false, true, false]);
    // Nothing measured of a map of isPrime yet: four chunks per worker thread (--parallelism 1).
    expect(first.body.progress.totalChunks).toBe(4);
    const later = await api.post("/v1/jobs", small, { prefer: "wait=30" });
    expect(later.body.result.items).toEqual(first.body.result.items);
    // Each chunk costs a round trip through Redis; microseconds of work go as one.
    expect(later.body.progress.totalChunks).toBe(1);
  }, 60_000);
});
