#!/usr/bin/env node
// Benchmark 3: count the primes below 16,000,000: the reference server's range job on a 2-worker
// pool vs the same loop on one thread in this process. Each round also measures the machine's
// 2-thread capacity right then (the calibration loop of parallel-capacity.mjs: the same work on two
// threads at once vs one), because on a shared machine a busy second core caps any speedup.
//   ratio = median over rounds of (single ÷ server time) ÷ (2 × t(one thread) ÷ t(two threads))
// 1.00 = the server got all the parallelism the machine offered in that round. Goal >= 0.95.
// Rounds alternate which side goes first; every count is checked against the single thread's.
import { startServer } from "@polybridge/server";
import { primeTest } from "../server/dist/functions/builtins.js";
import { capacityLoop, envNumber, median, postJson, report, round, spread } from "./lib/common.mjs";

const N = envNumber("PRIMES_BELOW", 16_000_000);
const ROUNDS = envNumber("ROUNDS", 3);
const WORKERS = envNumber("WORKERS", 2);
const CAPACITY_N = envNumber("CAPACITY_PRIMES_BELOW", 4_000_000);

function singleThread() {
  let count = 0;
  for (let n = 0; n < N; n++) if (primeTest(n)) count++;
  return count;
}

const server = await startServer({ port: 0, workers: WORKERS });
const job = { kind: "fold", function: "countPrimes", input: { range: { start: 0, end: N } }, options: { chunkSize: 250_000 } };
// A new connection per job: the single-thread loop blocks this process (the server's too) for
// seconds, after which a kept-alive socket may be closed under the next request.
async function viaServer() {
  const res = await postJson(`${server.url}/v1/jobs`, job, { prefer: "wait=60", connection: "close" });
  const body = JSON.parse(res.text);
  if (body.status !== "successful") throw new Error(`job ${body.status}: ${JSON.stringify(body.error)}`);
  return body.result.value;
}
const timed = async (fn) => {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
};

try {
  await viaServer(); // warm the workers' JIT
  await capacityLoop(1, CAPACITY_N);
  const speedups = [];
  const calibrations = [];
  const ratios = [];
  const times = { single: [], pool: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const singleFirst = r % 2 === 0;
    const a = singleFirst ? await timed(singleThread) : await timed(viaServer);
    const b = singleFirst ? await timed(viaServer) : await timed(singleThread);
    const [single, pool] = singleFirst ? [a, b] : [b, a];
    if (pool.value !== single.value) throw new Error(`server counted ${pool.value}, single thread ${single.value}`);
    const one = await capacityLoop(1, CAPACITY_N);
    const two = await capacityLoop(2, CAPACITY_N);
    const calibration = (2 * one) / two;
    times.single.push(single.ms);
    times.pool.push(pool.ms);
    speedups.push(single.ms / pool.ms);
    calibrations.push(calibration);
    ratios.push(single.ms / pool.ms / calibration);
  }
  const ratio = round(median(ratios));
  report({
    name: `primes below ${N}: range job (${WORKERS} workers) speedup vs one thread ÷ the round's 2-thread calibration`,
    ratio,
    goal: ">= 0.95x",
    pass: ratio >= 0.95,
    spread: spread(ratios),
    speedup: round(median(speedups)),
    calibration: round(median(calibrations)),
    single_ms: Math.round(median(times.single)),
    server_ms: Math.round(median(times.pool)),
  });
} finally {
  await server.close();
}
