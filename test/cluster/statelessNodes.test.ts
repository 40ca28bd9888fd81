// Two `serve --redis` API nodes on one Redis: any node answers for any job (status, list, SSE with
// Last-Event-ID, cancel, Prefer: wait, idempotency keys), and when the node holding a job's
// orchestration is SIGKILLed, the other takes it over and ends it with the exact result.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient, parseSse } from "../helpers/contractClient.js";
import { startScaleOut, type ScaleOut } from "./startScaleOut.js";

let cluster: ScaleOut;

beforeAll(async () => {
  cluster = await startScaleOut({ aof: true, parallelism: 2, workers: 2, apiNodes: 2, leaseMs: 2_000 });
}, 120_000);

afterAll(() => cluster?.stop());

const countPrimes = (end: number, chunkSize: number) => ({ kind: "fold", function: "countPrimes", input: { range: { start: 0, end } }, options: { chunkSize, concurrency: 2 } });

describe("stateless API nodes", () => {
  it("answers on B for a job submitted on A: status, list, result, SSE resumed after Last-Event-ID", async () => {
    const [a, b] = cluster.serves.map((serve) => contractClient(serve.url));
    const job = await a!.post("/v1/jobs", countPrimes(2_000_000, 250_000));
    expect(job.status).toBe(202);
    expect((await b!.get(`/v1/jobs/${job.body.id}`)).body.id).toBe(job.body.id);
    const settled = await b!.settle(job.body.id, 60_000);
    expect(settled.body).toMatchObject({ status: "successful", progress: { completedChunks: 8, totalChunks: 8 } });
    expect((await a!.get(`/v1/jobs/${job.body.id}/result`)).body.value).toBe(148_933);
    const listed = await b!.get("/v1/jobs?status=successful&limit=50");
    expect(listed.body.jobs.map((j: { id: string }) => j.id)).toContain(job.body.id);
    const full = parseSse(await (await fetch(`${cluster.serves[1]!.url}/v1/jobs/${job.body.id}/events`)).text()).events;
    expect(full.at(-1)).toMatchObject({ event: "status", data: { status: "successful" } });
    expect(full.find((e) => e.event === "result")?.data.value).toBe(148_933);
    const ids = full.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    const resumeAfter = full[1]!.id as string;
    const rest = parseSse(await (await fetch(`${cluster.serves[0]!.url}/v1/jobs/${job.body.id}/events`, { headers: { "last-event-id": resumeAfter } })).text()).events;
    expect(rest.map((e) => e.id)).toEqual(full.slice(2).map((e) => e.id));
  }, 90_000);

  it("waits on B (Prefer: wait) and replays an Idempotency-Key of A on B", async () => {
    const [a, b] = cluster.serves.map((serve) => contractClient(serve.url));
    const body = { kind: "map", function: "square", input: { items: [1, 2, 3] } };
    const waited = await b!.post("/v1/jobs", body, { prefer: "wait=10" });
    expect(waited.status).toBe(200);
    expect(waited.body.result).toEqual({ kind: "map", items: [1, 4, 9] });
    const key = `k-${Date.now()}`;
    const first = await a!.post("/v1/jobs", body, { "idempotency-key": key });
    const again = await b!.post("/v1/jobs", body, { "idempotency-key": key });
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const conflict = await b!.post("/v1/jobs", { ...body, input: { items: [5] } }, { "idempotency-key": key });
    expect(conflict.status).toBe(422);
    expect(conflict.body.code).toBe("idempotency_key_conflict");
  }, 60_000);

  it("cancels on B a job running from A: it ends dismissed everywhere and its chunks stop", async () => {
    const [a, b] = cluster.serves.map((serve) => contractClient(serve.url));
    const job = await a!.post("/v1/jobs", countPrimes(40_000_000, 500_000));
    await expect.poll(async () => (await a!.get(`/v1/jobs/${job.body.id}`)).body.progress.completedChunks, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(1);
    const cancelled = await b!.del(`/v1/jobs/${job.body.id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("dismissed");
    const seen = (await a!.get(`/v1/jobs/${job.body.id}`)).body;
    expect(seen.status).toBe("dismissed");
    // The workers are free again at once: a small job on them ends quickly.
    const small = await b!.post("/v1/jobs", countPrimes(200_000, 100_000), { prefer: "wait=20" });
    expect(small.body.status).toBe("successful");
    expect(small.body.result.value).toBe(17_984);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await b!.get(`/v1/jobs/${job.body.id}`)).body.progress.completedChunks).toBe(seen.progress.completedChunks);
  }, 90_000);

  it("finishes exactly on the other node when the orchestrating node is SIGKILLed", async () => {
    // Only A runs when the job starts, so A holds its orchestration; then B joins and A dies.
    const [stopped] = cluster.serves.splice(1, 1);
    await stopped!.stop(20_000);
    const a = contractClient(cluster.serve.url);
    // Long enough (about 10 s on two busy cores) that it is still running when B has started.
    const job = await a.post("/v1/jobs", countPrimes(60_000_000, 1_000_000));
    await expect.poll(async () => (await a.get(`/v1/jobs/${job.body.id}`)).body.progress.completedChunks, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(4);
    const b = contractClient((await cluster.addServe()).url);
    expect((await b.get(`/v1/jobs/${job.body.id}`)).body.status).toBe("running");
    cluster.serve.child.kill("SIGKILL");
    await cluster.serve.exited(10_000);
    const done = await b.settle(job.body.id, 120_000);
    expect(done.body).toMatchObject({ status: "successful", progress: { completedChunks: 60, totalChunks: 60, completedItems: 60_000_000 } });
    expect((await b.get(`/v1/jobs/${job.body.id}/result`)).body.value).toBe(3_562_115);
    const events = parseSse(await (await fetch(`${cluster.serves.at(-1)!.url}/v1/jobs/${job.body.id}/events`)).text()).events;
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data.progress.completedChunks);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    expect(new Set(progress).size).toBe(progress.length);
    // The chunks A finished were not run again: B reused their stored results.
    const reused = Number(/job \S+ taken over \(its lease ran out\); (\d+) stored chunk result\(s\) reused/.exec(cluster.serves.at(-1)!.output())?.[1]);
    expect(reused).toBeGreaterThanOrEqual(4);
    console.log(`takeover: B reused ${reused} of 60 chunk results stored by A; result exact`);
  }, 180_000);
});
