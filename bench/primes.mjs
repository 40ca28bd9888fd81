#!/usr/bin/env node
// Count the primes below 16,000,000: the reference server's range job on a 2-worker pool vs the
// same loop on one thread in this process. Several rounds, median ratio; goal >= 1.80x.
import { startServer } from "@polybridge/server";
import { primeTest } from "../server/dist/functions/builtins.js";

const N = Number(process.env.PRIMES_BELOW ?? 16_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function singleThread() {
  let count = 0;
  for (let n = 0; n < N; n++) if (primeTest(n)) count++;
  return count;
}

const server = await startServer({ port: 0, workers: Number(process.env.WORKERS ?? 2) });
const job = { kind: "fold", function: "countPrimes", input: { range: { start: 0, end: N } }, options: { chunkSize: 250_000 } };
async function viaServer() {
  const res = await fetch(`${server.url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json", prefer: "wait=60" }, body: JSON.stringify(job) });
  const body = await res.json();
  if (body.status !== "successful") throw new Error(`job ${body.status}: ${JSON.stringify(body.error)}`);
  return body.result.value;
}

await viaServer(); // warm the workers' JIT
const ratios = [];
const times = { single: [], pool: [] };
for (let round = 0; round < ROUNDS; round++) {
  let t = performance.now();
  const expected = singleThread();
  const single = performance.now() - t;
  t = performance.now();
  const got = await viaServer();
  const pool = performance.now() - t;
  if (got !== expected) throw new Error(`server counted ${got}, single thread ${expected}`);
  times.single.push(single);
  times.pool.push(pool);
  ratios.push(single / pool);
}
await server.close();
const result = {
  name: `primes below ${N}: range job (${process.env.WORKERS ?? 2} workers) vs one thread`,
  single_ms: Math.round(median(times.single)),
  server_ms: Math.round(median(times.pool)),
  ratio: Number(median(ratios).toFixed(2)),
  spread: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
  goal: ">= 1.80x",
};
result.pass = result.ratio >= 1.8;
console.log(JSON.stringify(result));
