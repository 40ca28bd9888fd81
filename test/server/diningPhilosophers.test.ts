// diningPhilosophers on the reference server: a call runs on the worker pool (never inline on the
// request thread), a call timeout and a job cancel stop it, and the server keeps serving.
import { builtinsModule, LocalExecutor, startServer, type CallOutcome, type ChunkOutcome, type ChunkTask, type Executor, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The pool, with a record of what was sent to it. */
class RecordingExecutor implements Executor {
  readonly calls: string[] = [];
  readonly chunks: string[] = [];
  readonly #pool = new LocalExecutor({ modules: [builtinsModule], workers: 2 });
  readonly parallelism = this.#pool.parallelism;
  runChunk(task: ChunkTask, signal: AbortSignal): Promise<ChunkOutcome> {
    this.chunks.push(task.fn);
    return this.#pool.runChunk(task, signal);
  }
  call(fn: string, input: unknown, signal: AbortSignal): Promise<CallOutcome> {
    this.calls.push(fn);
    return this.#pool.call(fn, input, signal);
  }
  close(): Promise<void> {
    return this.#pool.close();
  }
}

let server: RunningServer;
const executor = new RecordingExecutor();

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", executor });
});
afterAll(() => server.close(1_000));

interface Answer {
  status: number;
  body: { code?: string; id?: string; output?: { log?: unknown[] } };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

describe("diningPhilosophers on the reference server", () => {
  it("runs a call on the worker pool and returns what the monitor saw", async () => {
    const res = await post("/v1/functions/diningPhilosophers/call", { input: { philosophers: 5, meals: 3, seed: 4 } });
    expect(res.status).toBe(200);
    expect(res.body.output).toMatchObject({ philosophers: 5, meals: [3, 3, 3, 3, 3], maxNeighboursEating: 0 });
    expect(res.body.output?.log).toHaveLength(15);
    expect(executor.calls).toContain("diningPhilosophers");
  });

  it("stops a ring that outlives its call timeout with 504, and the pool serves the next call", async () => {
    const started = performance.now();
    const res = await post("/v1/functions/diningPhilosophers/call", { input: { philosophers: 1000, meals: 100 }, timeoutMs: 100 });
    expect([res.status, res.body.code]).toEqual([504, "call_timeout"]);
    expect(performance.now() - started).toBeLessThan(3_000);
    const next = await post("/v1/functions/diningPhilosophers/call", { input: { philosophers: 3, meals: 1 } });
    expect(next.status).toBe(200);
  });

  it("cancels a map job over rings at once", async () => {
    const items = Array.from({ length: 4 }, (_, seed) => ({ philosophers: 1000, meals: 100, seed }));
    const submitted = await post("/v1/jobs", { kind: "map", function: "diningPhilosophers", input: { items }, options: { chunkSize: 1 } }, { prefer: "respond-async" });
    expect(submitted.status).toBe(202);
    // Cancel once its rings are running on the pool.
    for (let waited = 0; !executor.chunks.includes("diningPhilosophers") && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(executor.chunks).toContain("diningPhilosophers");
    const cancelled = await fetch(`${server.url}/v1/jobs/${submitted.body.id ?? ""}`, { method: "DELETE" });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { status: string }).status).toBe("dismissed");
    const health = await fetch(`${server.url}/v1/health`);
    expect(health.status).toBe(200);
  });
});
