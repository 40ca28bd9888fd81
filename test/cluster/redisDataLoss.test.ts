// The outside probe of issue 14: Redis without persistence is SIGKILLed and restarted mid-job,
// then a second job runs. Jobs live in Redis, so the first one is gone with its data (404); the
// second must still end exact and soon. Before chunk replies were bound to their attempt, the first job took the
// second job's replies (BullMQ ids restart at 1 after the data loss) and ended `successful` with a
// wrong count; without a second job it hung until its timeout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";
import { startScaleOut, type ScaleOut } from "./startScaleOut.js";

let cluster: ScaleOut;

beforeAll(async () => {
  cluster = await startScaleOut({ aof: false, parallelism: 4, workers: 2 });
}, 120_000);

afterAll(() => cluster?.stop());

const fold = (end: number) => ({ kind: "fold", function: "countPrimes", input: { range: { start: 0, end } }, options: { chunkSize: 500_000, concurrency: 4 } });

describe("Redis loses its data mid-job (kill -9, restart without persistence)", () => {
  it("loses the first job honestly (404), ends the second exact without waiting for a timeout, and logs the outage once", async () => {
    const api = contractClient(cluster.serve.url);
    const first = await api.post("/v1/jobs", fold(20_000_000));
    expect(first.status).toBe(202);
    await expect.poll(async () => (await api.get(`/v1/jobs/${first.body.id}`)).body.progress.completedChunks, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(2);
    const killedAt = Date.now();
    await cluster.redis.kill();
    await cluster.redis.restart();
    await new Promise((r) => setTimeout(r, 1_500));
    const second = await api.post("/v1/jobs", fold(2_000_000));
    // Jobs live in Redis: the first one was lost with Redis's data (404, never a wrong result).
    const lost = await api.get(`/v1/jobs/${first.body.id}`);
    expect(lost.status).toBe(404);
    expect(lost.body.code).toBe("job_not_found");
    const b = await api.settle(second.body.id, 90_000);
    expect(b.body).toMatchObject({ status: "successful" });
    expect((await api.get(`/v1/jobs/${second.body.id}/result`)).body.value).toBe(148_933);
    // Far below the default 300 s timeout: lost chunks are found and queued again.
    expect(Date.now() - killedAt).toBeLessThan(60_000);
    for (const log of cluster.logs()) {
      expect(log).not.toMatch(/MaxListenersExceededWarning|Unhandled error event/);
      expect(log.match(/Redis unreachable/g)?.length ?? 0, log).toBeLessThanOrEqual(1);
    }
  }, 180_000);
});
