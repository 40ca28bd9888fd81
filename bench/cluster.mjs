#!/usr/bin/env node
// Scale-out through Redis + BullMQ (one `serve --redis` engine in this process, jobs in Redis, two
// `polybridge worker --workers 1` processes, a private redis-server with AOF on) vs the embedded
// server (a 2-thread pool), in the same run; two result lines:
// 1. the primes below 16,000,000 as a fold range job, same chunk size: ratio = scale-out time /
//    embedded time, median of rounds; goal <= 1.15x;
// 2. a small job (map isPrime over 8 items, one chunk, run on a worker) with `Prefer: wait`:
//    median round trip, scale-out / embedded (reported, no goal: Redis adds its hops).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "@polybridge/server";
import { BullMQExecutor, RedisJobEngine } from "@polybridge/server/distributed";
import { ROOT, envNumber, median, report, round, spread } from "./lib/common.mjs";

const N = envNumber("PRIMES_BELOW", 16_000_000);
const ROUNDS = envNumber("ROUNDS", 3);
const job = { kind: "fold", function: "countPrimes", input: { range: { start: 0, end: N } }, options: { chunkSize: 250_000 } };

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

spawnSync("bash", [join(ROOT, "scripts/ensure-redis.sh")], { stdio: "inherit" });
const dir = mkdtempSync(join(tmpdir(), "polybridge-bench-redis-"));
const port = await freePort();
const redis = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "yes", "--dir", dir], { stdio: "ignore" });
const url = `redis://127.0.0.1:${port}`;
const children = [redis];
const stopAll = () => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
};
process.once("exit", stopAll);

async function until(check) {
  for (let i = 0; i < 400; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("not up in time");
}
await until(async () => spawnSync("redis-cli", ["-p", String(port), "ping"]).stdout?.toString().trim() === "PONG");
const workersUp = [0, 1].map(
  () =>
    new Promise((resolve, reject) => {
      const worker = spawn(process.execPath, [join(ROOT, "cli/bin/polybridge.js"), "worker", "--redis", url, "--workers", "1"], { stdio: ["ignore", "pipe", "inherit"] });
      children.push(worker);
      worker.stdout.on("data", (chunk) => chunk.toString().includes("taking chunks") && resolve());
      worker.once("exit", (code) => reject(new Error(`worker exited ${code}`)));
    }),
);
await Promise.all(workersUp);

const executor = new BullMQExecutor({ redisUrl: url, parallelism: 2 });
await executor.ready();
// As `serve --redis` runs: jobs in Redis too, orchestrated under a lease.
const scaled = await startServer({ port: 0, executor, jobStore: (engine) => RedisJobEngine.start({ ...engine, redisUrl: url, outage: executor.outage }) });
const embedded = await startServer({ port: 0, workers: 2 });

async function timeJob(server) {
  const started = performance.now();
  const res = await fetch(`${server.url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json", prefer: "wait=60" }, body: JSON.stringify(job) });
  const body = await res.json();
  if (body.status !== "successful") throw new Error(`job ${body.status}: ${JSON.stringify(body.error)}`);
  return { ms: performance.now() - started, value: body.result.value };
}

await timeJob(embedded); // warm both JITs
await timeJob(scaled);
const ratios = [];
const times = { embedded: [], scaled: [] };
for (let r = 0; r < ROUNDS; r++) {
  const a = await timeJob(embedded);
  const b = await timeJob(scaled);
  if (a.value !== b.value) throw new Error(`scale-out counted ${b.value}, embedded ${a.value}`);
  times.embedded.push(a.ms);
  times.scaled.push(b.ms);
  ratios.push(b.ms / a.ms);
}
const small = { kind: "map", function: "isPrime", input: { items: [1, 2, 3, 4, 5, 6, 7, 8] } };
async function smallRoundTrip(server) {
  const started = performance.now();
  const res = await fetch(`${server.url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json", prefer: "wait=10" }, body: JSON.stringify(small) });
  const body = await res.json();
  if (body.status !== "successful" || body.result.items.join() !== "false,true,true,false,true,false,true,false") throw new Error(`small job: ${JSON.stringify(body)}`);
  return performance.now() - started;
}
const SMALL = envNumber("SMALL_JOBS", 200);
const smallTimes = { embedded: [], scaled: [] };
for (let i = 0; i < SMALL; i++) {
  smallTimes.embedded.push(await smallRoundTrip(embedded));
  smallTimes.scaled.push(await smallRoundTrip(scaled));
}
await scaled.close(1_000);
await embedded.close(1_000);
stopAll();
const ratio = round(median(ratios));
report({
  name: `primes below ${N}: Redis + BullMQ (2 worker processes x 1 thread) vs embedded (2 threads)`,
  embedded_ms: Math.round(median(times.embedded)),
  scaleout_ms: Math.round(median(times.scaled)),
  ratio,
  spread: spread(ratios),
  goal: "<= 1.15x",
  pass: ratio <= 1.15,
});
const smallEmbedded = median(smallTimes.embedded);
const smallScaled = median(smallTimes.scaled);
report({
  name: `small job (map isPrime, 8 items) with Prefer: wait, ${SMALL} sequential: Redis + BullMQ vs embedded round trip`,
  embedded_ms: round(smallEmbedded),
  scaleout_ms: round(smallScaled),
  ratio: round(smallScaled / smallEmbedded),
  spread: `p90 ${round([...smallTimes.scaled].sort((a, b) => a - b)[Math.floor(SMALL * 0.9)])} ms vs ${round([...smallTimes.embedded].sort((a, b) => a - b)[Math.floor(SMALL * 0.9)])} ms`,
  goal: "report",
  pass: null,
});
process.exit(0);
