import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "@polybridge/server";

// A function marked `inline: "auto"` (isPrime) runs on the workers until it has been measured there
// as tiny; then small chunks and calls of it run on the request thread (FunctionCosts). A function
// that did not opt in stays on the workers however fast it is.
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, workers: 2, docs: false });
});
afterAll(() => server.close());

const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
};
const chunkCount = async (where: string): Promise<number> => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`polybridge_chunk_duration_seconds_count{kind="map",where="${where}"}`));
  return Number(line?.split(" ").at(-1) ?? 0);
};
const isPrime = (n: number): boolean => n > 1 && Array.from({ length: Math.max(0, Math.floor(Math.sqrt(n)) - 1) }, (_, i) => i + 2).every((d) => n % d !== 0);

describe("small work of measured-fast functions", () => {
  it("moves a small map of isPrime from the workers to the request thread, with the same results", async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const first = await post("/v1/jobs", { kind: "map", function: "isPrime", input: { items } }, { prefer: "wait=30" });
    expect((first.progress as { totalChunks: number }).totalChunks).toBe(8); // nothing measured yet
    expect(await chunkCount("inline")).toBe(0);
    // A cold worker's first chunks are slow (JIT); the smoothed measure comes down within a few dozen chunks.
    for (let i = 0; i < 40 && (await chunkCount("inline")) === 0; i++) {
      const job = await post("/v1/jobs", { kind: "map", function: "isPrime", input: { items } }, { prefer: "wait=30" });
      expect((job.result as { items: boolean[] }).items).toEqual(items.map(isPrime));
    }
    expect(await chunkCount("worker")).toBeGreaterThanOrEqual(8);
    expect(await chunkCount("inline")).toBeGreaterThan(0);
  });

  it("keeps a fast function that did not opt in (sha256) on the workers", async () => {
    const before = await chunkCount("inline");
    for (let i = 0; i < 20; i++) {
      const job = await post("/v1/jobs", { kind: "map", function: "sha256", input: { items: [{ data: "a" }, { data: "b" }] } }, { prefer: "wait=30" });
      expect((job.result as { items: string[] }).items[0]).toBe("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
    }
    expect(await chunkCount("inline")).toBe(before);
  });

  it("answers sync calls of it the same once they run on the request thread", async () => {
    for (let i = 0; i < 12; i++) expect((await post("/v1/functions/isPrime/call", { input: 97 })).output).toBe(true);
    expect((await post("/v1/functions/isPrime/call", { input: 91 })).output).toBe(false);
  });
});
