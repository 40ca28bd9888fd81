// JobEngine: default chunk sizes that follow a function's measured time per item (adaptiveChunks).
// Time is the fake executor's: performance.now() is stubbed so each chunk takes a chosen time.
import { afterEach, describe, expect, it, vi } from "vitest";
import { completeAll, disposeAll, makeEngine } from "./fakes.js";

afterEach(() => {
  vi.restoreAllMocks();
  return disposeAll();
});

const hundred = { kind: "map", function: "square", input: { items: Array.from({ length: 100 }, (_, i) => i) } } as const;

/** Runs one job of 100 items whose chunks each take `msPerChunk`; returns its number of chunks. */
async function chunksOfAJob(engine: ReturnType<typeof makeEngine>, msPerChunk: number): Promise<number> {
  let now = 0;
  vi.spyOn(performance, "now").mockImplementation(() => (now += msPerChunk / 2));
  const { job } = engine.engine.submit(hundred);
  await completeAll(engine.executor);
  expect(job.status).toBe("successful");
  expect(engine.engine.resultJson(job.id)).toBe(JSON.stringify({ kind: "map", items: hundred.input.items.map((x) => x * x) }));
  return job.progress.totalChunks;
}

describe("adaptive chunk sizes", () => {
  it("sends a small job of a fast function as one chunk once its time per item is known", async () => {
    const harness = makeEngine({ adaptiveChunks: true });
    expect(await chunksOfAJob(harness, 0.13)).toBe(8); // nothing measured yet: four chunks per worker
    expect(await chunksOfAJob(harness, 0.13)).toBe(1); // ~0.01 ms an item: 2 ms of work is more than the job
  });

  it("keeps spreading a slow function over every worker", async () => {
    const harness = makeEngine({ adaptiveChunks: true });
    await chunksOfAJob(harness, 50);
    expect(await chunksOfAJob(harness, 50)).toBe(8);
  });

  it("is off by default: chunk counts depend on the job's size only", async () => {
    const harness = makeEngine();
    await chunksOfAJob(harness, 0.13);
    expect(await chunksOfAJob(harness, 0.13)).toBe(8);
  });
});

describe("default concurrency", () => {
  it("is the executor's parallelism, or its defaultConcurrency when it keeps more in flight (a queue)", () => {
    const local = makeEngine();
    expect(local.engine.submit(hundred).job.options).toMatchObject({ concurrency: 2, chunkSize: 13 });
    const queued = makeEngine();
    Object.defineProperty(queued.executor, "defaultConcurrency", { value: 4 });
    // Chunk sizes still follow the threads that run them; only the chunks in flight double.
    expect(queued.engine.submit(hundred).job.options).toMatchObject({ concurrency: 4, chunkSize: 13 });
  });
});
