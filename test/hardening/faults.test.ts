// Fault injection against the real server process (`polybridge serve --functions
// test/fixtures/faultFunctions.mjs`), one fresh process per case so one crash cannot hide the
// next. After every fault: the process is alive, /v1/health answers quickly, and the job ended
// with the problem docs/PROTOCOL.md promises. Every case is bounded by its own timeout and its
// processes are SIGKILLed in afterEach, pass or fail.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readEventStream } from "../helpers/readEventStream.js";
import type { ServerProcess } from "../helpers/serverProcess.js";
import {
  call,
  exclusive,
  expectAliveAndHealthy,
  isAlive,
  memoryOf,
  settle,
  startFaultServer,
  submit,
  tail,
  untilRunning,
  type FaultServerOptions,
} from "./harness.js";

let release: (() => void) | undefined;
beforeAll(async () => {
  release = await exclusive(240_000);
}, 250_000);
afterAll(() => release?.());

const started: ServerProcess[] = [];
async function server(options: FaultServerOptions = {}): Promise<ServerProcess> {
  const s = await startFaultServer(options);
  started.push(s);
  return s;
}
afterEach(() => {
  for (const s of started.splice(0)) if (isAlive(s)) s.child.kill("SIGKILL");
});

/** A job that must still run after a fault: workers and the main thread both serve it. */
async function expectLaterJobsWork(s: ServerProcess): Promise<void> {
  const onWorkers = await submit(s, { kind: "map", function: "busyLoop", input: { items: [1, 2, 3, 4] }, options: { chunkSize: 1 } }, 10, 15_000);
  expect([onWorkers.status, onWorkers.body.status], JSON.stringify(onWorkers.body)).toEqual([200, "successful"]);
  expect(onWorkers.body.result.items).toEqual([1, 2, 3, 4]);
  const inline = await submit(s, { kind: "map", function: "square", input: { items: [1, 2, 3] } }, 10, 15_000);
  expect(inline.body.result?.items).toEqual([1, 4, 9]);
}

describe("reducer faults", () => {
  it("a reducer whose combine throws fails the job (internal_error or item_failed, with a detail); the process lives", async () => {
    const s = await server();
    const r = await submit(s, { kind: "fold", function: "combineThrows", input: { items: [1, 2, 3] }, options: { chunkSize: 1 } }, 10, 15_000);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe("failed");
    expect(["internal_error", "item_failed"]).toContain(r.body.error.code);
    expect(r.body.error.detail).toMatch(/combine/);
    await expectAliveAndHealthy(s);
    await expectLaterJobsWork(s);
  }, 30_000);

  it("a reducer whose step throws fails the job with item_failed at that item's index", async () => {
    const s = await server();
    const r = await submit(s, { kind: "fold", function: "stepThrows", input: { items: [1, 2, 3] }, options: { chunkSize: 1 } }, 10, 15_000);
    expect(r.body.status, JSON.stringify(r.body)).toBe("failed");
    expect(r.body.error).toMatchObject({ code: "item_failed", itemIndex: 1, detail: "stepThrows: cannot fold 2" });
    await expectAliveAndHealthy(s);
  }, 30_000);
});

describe("worker deaths", () => {
  it("a function that calls process.exit in the worker: worker_crashed after the re-runs; later jobs still run", async () => {
    const s = await server();
    const r = await submit(s, { kind: "map", function: "exitWorker", input: { items: [1] } }, 30, 40_000);
    expect(r.body.status, JSON.stringify(r.body)).toBe("failed");
    expect(r.body.error.code).toBe("worker_crashed");
    expect(r.body.error.detail).toMatch(/4 times/); // the first run and 3 re-runs
    await expectAliveAndHealthy(s);
    await expectLaterJobsWork(s);
  }, 60_000);

  it("a function that allocates until its worker runs out of heap: worker_crashed after the re-runs; later jobs still run", async () => {
    const s = await server();
    const r = await submit(s, { kind: "map", function: "hogMemory", input: { items: [1] } }, 50, 60_000);
    expect(r.body.status, JSON.stringify(r.body)).toBe("failed");
    expect(r.body.error.code).toBe("worker_crashed");
    await expectAliveAndHealthy(s);
    await expectLaterJobsWork(s);
  }, 75_000);
});

describe("a synchronous busy loop in a worker", () => {
  it("vs timeoutMs: the job ends job_timeout close to its timeout, not when the loop would end", async () => {
    const s = await server();
    const t0 = performance.now();
    const r = await submit(s, { kind: "map", function: "busyLoop", input: { items: [8_000, 8_000] }, options: { chunkSize: 1, timeoutMs: 500 } }, 30, 20_000);
    const took = performance.now() - t0;
    expect(r.body.status, JSON.stringify(r.body)).toBe("failed");
    expect(r.body.error.code).toBe("job_timeout");
    const ran = Date.parse(r.body.finishedAt) - Date.parse(r.body.startedAt);
    expect(ran).toBeGreaterThanOrEqual(450);
    expect(ran, "job_timeout must fire near timeoutMs").toBeLessThan(1_500);
    expect(took, "the waiting request must return when the job times out").toBeLessThan(3_000);
    await expectAliveAndHealthy(s);
    // Both workers were spinning for 8 s: they must have been freed (terminated and replaced).
    const t1 = performance.now();
    await expectLaterJobsWork(s);
    expect(performance.now() - t1, "the workers were not freed by the timeout").toBeLessThan(4_000);
  }, 40_000);

  it("vs cancel: DELETE dismisses at once and frees the workers for the next job", async () => {
    const s = await server();
    const job = await submit(s, { kind: "map", function: "busyLoop", input: { items: [8_000, 8_000] }, options: { chunkSize: 1 } });
    expect(job.status).toBe(202);
    await untilRunning(s, job.body.id);
    await new Promise((r) => setTimeout(r, 200)); // both workers are inside the loop
    const cancelled = await call(s, "DELETE", `/v1/jobs/${job.body.id}`);
    expect([cancelled.status, cancelled.body.status]).toEqual([200, "dismissed"]);
    expect(cancelled.ms, "DELETE must answer at once").toBeLessThan(500);
    await expectAliveAndHealthy(s);
    const t1 = performance.now();
    await expectLaterJobsWork(s);
    expect(performance.now() - t1, "the workers were not freed by the cancel").toBeLessThan(4_000);
  }, 40_000);
});

describe("the event loop stays free", () => {
  it("a cheap inline fold with chunkSize 1 over a million values: health answers in < 100 ms and the job fails job_timeout", async () => {
    const s = await server();
    const job = await submit(s, { kind: "fold", function: "sum", input: { range: { start: 0, end: 1_000_000 } }, options: { chunkSize: 1, timeoutMs: 1_000 } });
    expect(job.status).toBe(202);
    const probes: number[] = [];
    const deadline = performance.now() + 20_000;
    let final: any;
    for (;;) {
      const health = await call(s, "GET", "/v1/health", { timeoutMs: 20_000 });
      probes.push(health.ms);
      const current = await call(s, "GET", `/v1/jobs/${job.body.id}`, { timeoutMs: 20_000 });
      if (["successful", "failed", "dismissed"].includes(current.body.status)) {
        final = current.body;
        break;
      }
      expect(performance.now() < deadline, `job still ${current.body.status} after 20 s`).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
    }
    const worst = Math.max(...probes);
    console.log(`[hardening] cheap fold: ${probes.length} health probes, max ${worst.toFixed(1)} ms; job ${final.status} ${final.error?.code ?? ""} after ${final.progress.completedChunks} chunks`);
    expect(worst, `health took up to ${worst.toFixed(0)} ms while the job ran`).toBeLessThan(100);
    expect(final.status, JSON.stringify(final)).toBe("failed");
    expect(final.error.code).toBe("job_timeout");
    expect(Date.parse(final.finishedAt) - Date.parse(final.startedAt)).toBeLessThan(2_000);
    await expectAliveAndHealthy(s);
  }, 40_000);
});

describe("a result too large to hold", () => {
  it("map isEven over 100,000,000 values with Prefer wait=60: the server survives; result_too_large or success", async () => {
    const s = await server();
    const probes: Array<{ ms: number; ok: boolean }> = [];
    let running = true;
    const prober = (async () => {
      while (running && isAlive(s)) {
        const t = performance.now();
        const ok = await fetch(`${s.url}/v1/health`, { signal: AbortSignal.timeout(5_000) }).then(
          (r) => r.status === 200,
          () => false,
        );
        probes.push({ ms: performance.now() - t, ok });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    let outcome: { status: number; bytes: number; head: string } | Error;
    try {
      // Read as a stream: a "successful" answer would be ~550 MB; only its head is kept.
      const res = await fetch(`${s.url}/v1/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json", prefer: "wait=60" },
        body: JSON.stringify({ kind: "map", function: "isEven", input: { range: { start: 0, end: 100_000_000 } } }),
        signal: AbortSignal.timeout(80_000),
      });
      let bytes = 0;
      let head = "";
      const reader = res.body?.getReader();
      for (let piece = await reader?.read(); piece && !piece.done; piece = await reader?.read()) {
        bytes += piece.value.byteLength;
        if (head.length < 4_096) head += Buffer.from(piece.value).toString("utf8");
      }
      outcome = { status: res.status, bytes, head };
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
    } finally {
      running = false;
      await prober;
    }
    await new Promise((r) => setTimeout(r, 200));
    const rss = memoryOf(s.child.pid);
    console.log(
      `[hardening] isEven 1e8: ${outcome instanceof Error ? outcome.message : `${outcome.status}, ${outcome.bytes} bytes`}; health probes ${probes.length}, max ${Math.max(0, ...probes.map((p) => p.ms)).toFixed(0)} ms, failed ${probes.filter((p) => !p.ok).length}; peak RSS ${rss.peakMb} MB`,
    );
    expect(isAlive(s), `the server died:\n${tail(s)}`).toBe(true);
    if (outcome instanceof Error) throw new Error(`the wait request failed: ${outcome.message}\n${tail(s)}`);
    expect([200, 202]).toContain(outcome.status);
    const id = /"id":"(job_[0-9a-f]+)"/.exec(outcome.head)?.[1];
    expect(id, outcome.head.slice(0, 500)).toBeDefined();
    const final = (await settle(s, id as string, 60_000)).body;
    console.log(`[hardening] isEven 1e8 job: ${final.status} ${final.error?.code ?? ""} ${final.error?.detail ?? ""}`);
    if (final.status !== "successful") {
      expect(final.status, JSON.stringify(final)).toBe("failed");
      expect(final.error.code).toBe("result_too_large");
    }
    expect(probes.filter((p) => !p.ok), "health must answer (within 5 s) throughout").toEqual([]);
    await expectAliveAndHealthy(s);
  }, 150_000);
});

describe("shutdown", () => {
  it("SIGTERM during running jobs: new submissions 503 shutting_down, running jobs finish or are dismissed within the grace period, exit 0", async () => {
    const graceMs = 1_500;
    const s = await server({ args: ["--grace-ms", String(graceMs)] });
    const short = await submit(s, { kind: "map", function: "busyLoop", input: { items: [400] } });
    const spinning = await submit(s, { kind: "map", function: "busyLoop", input: { items: [20_000] } });
    await untilRunning(s, short.body.id);
    await untilRunning(s, spinning.body.id);
    const shortEvents = readEventStream(`${s.url}/v1/jobs/${short.body.id}/events`, 20_000);
    const spinningEvents = readEventStream(`${s.url}/v1/jobs/${spinning.body.id}/events`, 20_000);
    await new Promise((r) => setTimeout(r, 100));
    const signalled = performance.now();
    s.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));

    const refused = await submit(s, { kind: "map", function: "square", input: { items: [1] } });
    expect([refused.status, refused.body.code]).toEqual([503, "shutting_down"]);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);

    const lastStatus = (text: string): string | undefined => [...text.matchAll(/"status":"(\w+)"/g)].at(-1)?.[1];
    expect(lastStatus((await shortEvents).text), "the short job finishes within the grace period").toBe("successful");
    expect(["successful", "dismissed"]).toContain(lastStatus((await spinningEvents).text));
    const code = await s.exited(graceMs + 5_000);
    const took = performance.now() - signalled;
    expect(code, tail(s)).toBe(0);
    expect(took, "exit within the grace period (plus closing)").toBeLessThan(graceMs + 3_000);
  }, 40_000);
});

describe("a bounded job store", () => {
  // Tiny requests; the second kind has a ~13 kB result: 5,000 of those kept would not fit a
  // 64 MB heap, so only a store bounded by memory (not by count or a fixed budget) survives it.
  const kinds = [
    { name: "items [i, i+1]", input: (i: number) => ({ items: [i, i + 1] }), length: 2 },
    { name: "a 2,000-value range (13 kB results)", input: (i: number) => ({ range: { start: i, end: i + 2_000 } }), length: 2_000 },
  ];
  it.each(kinds)("5,000 tiny jobs ($name) against a 64 MB heap: the server survives (old finished jobs may be gone)", async ({ name, input, length }) => {
    const s = await server({ nodeArgs: ["--max-old-space-size=64"], faults: false });
    const total = 5_000;
    const inFlight = 8;
    const ids: string[] = [];
    const statuses = new Map<string, number>();
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < total) {
        const i = next++;
        const r = await submit(s, { kind: "map", function: "square", input: input(i) }, 5, 10_000);
        const key = `${r.status} ${r.body.status ?? r.body.code}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (r.status === 200) {
          expect([r.body.result.items.length, r.body.result.items[1]]).toEqual([length, (i + 1) * (i + 1)]);
          ids.push(r.body.id);
        } else {
          expect([r.status, r.headers.get("retry-after")], JSON.stringify(r.body)).toEqual([503, expect.stringMatching(/^\d+$/)]);
        }
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, lane));
    const health = await call(s, "GET", "/v1/health");
    const first = await call(s, "GET", `/v1/jobs/${ids[0]}`);
    const last = await call(s, "GET", `/v1/jobs/${ids.at(-1)}`);
    console.log(
      `[hardening] ${total} tiny jobs (${name}) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(Object.fromEntries(statuses))}; stored ${health.body.jobs?.stored}; first job ${first.status}; peak RSS ${memoryOf(s.child.pid).peakMb} MB`,
    );
    expect(statuses.get("200 successful"), JSON.stringify(Object.fromEntries(statuses))).toBeGreaterThan(total * 0.9);
    expect([200, 404]).toContain(first.status);
    expect(last.status).toBe(200);
    await expectAliveAndHealthy(s);
  }, 120_000);
});
