#!/usr/bin/env node
// Benchmark 4: round trip of small jobs (`Prefer: wait=10`) vs the round trip of a sync `echo`
// call, sequential (one request in flight), same server process, same run. Each round runs one
// block of every kind in a rotating order; a ratio is job ÷ echo of the same round, and the row
// is the median of those per-round ratios. Every answer is checked.
//   4.  map `square` (inline: computed on the main thread) over 100 items      goal <= 1.5x
//   4b. map `isPrime` (a pool function, like every user function by default) over 100 items  <= 2x
//   4c. fold `countPrimes` (a pool reducer) over 100 items                      goal <= 2x
//   4d. the main thread's CPU per `isPrime` job ÷ its CPU per echo call        goal <= 2x
// (/proc/PID/task/PID/schedstat: the server's event loop, in ns; the workers' CPU is not in it.)
import { cpuMsOf, envNumber, median, postJson, report, round, spread, startServerProcess } from "./lib/common.mjs";

const ROUNDS = envNumber("ROUNDS", 15);
const CALLS = envNumber("CALLS", 300);
const items = Array.from({ length: 100 }, (_, i) => i);
const isPrime = (n) => {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
};
const echoBody = JSON.stringify({ input: { user: "ada", id: 42, tags: ["a", "b", "c"] } });

const server = await startServerProcess();
const jobUrl = `${server.url}/v1/jobs`;
const echoUrl = `${server.url}/v1/functions/echo/call`;

/** A job kind: its body and the check of its answer. */
const jobKind = (body, check) => async () => {
  const res = await postJson(jobUrl, JSON.stringify(body), { prefer: "wait=10" });
  const out = res.status === 200 ? JSON.parse(res.text) : undefined;
  if (out?.status !== "successful" || !check(out.result)) throw new Error(`${body.function}: ${res.status} ${res.text.slice(0, 300)}`);
};
const KINDS = {
  echo: async () => {
    const res = await postJson(echoUrl, echoBody);
    if (res.status !== 200 || JSON.parse(res.text).output.id !== 42) throw new Error(`echo: ${res.status} ${res.text.slice(0, 300)}`);
  },
  square: jobKind({ kind: "map", function: "square", input: { items } }, (r) => r.items.length === 100 && r.items[99] === 99 * 99),
  isPrime: jobKind({ kind: "map", function: "isPrime", input: { items } }, (r) => r.items.length === 100 && r.items.every((p, i) => p === isPrime(i))),
  countPrimes: jobKind({ kind: "fold", function: "countPrimes", input: { items } }, (r) => r.value === 25),
};

/** Median round trip (ms) of `n` sequential calls, and the server main thread's CPU per call (µs). */
async function block(fn, n) {
  const times = [];
  const cpu0 = cpuMsOf(server.pid, true);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { ms: median(times), cpuUs: ((cpuMsOf(server.pid, true) - cpu0) * 1000) / n };
}

try {
  for (const fn of Object.values(KINDS)) await block(fn, 200); // warm JIT, workers, sockets, measured costs
  const names = Object.keys(KINDS);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate the order so drift on a shared machine hits every kind alike.
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      runs[name].push(await block(KINDS[name], CALLS));
    }
  }
  const ratios = (name, key = "ms") => runs[name].map((x, i) => x[key] / runs.echo[i][key]);
  const row = (label, name, goal, key = "ms") => {
    const rs = ratios(name, key);
    const ratio = round(median(rs));
    report({
      label,
      name: `${label} (${ROUNDS}×${CALLS}, sequential)`,
      ratio,
      goal: `<= ${goal}x`,
      pass: ratio <= goal,
      spread: spread(rs),
      job_ms: round(median(runs[name].map((x) => x.ms)), 3),
      echo_ms: round(median(runs.echo.map((x) => x.ms)), 3),
      job_main_cpu_us: round(median(runs[name].map((x) => x.cpuUs)), 1),
      echo_main_cpu_us: round(median(runs.echo.map((x) => x.cpuUs)), 1),
    });
  };
  row("small job, map of 100 (inline square) vs echo call round trip", "square", 1.5);
  row("small job, map of 100 (pool isPrime) vs echo call round trip", "isPrime", 2);
  row("small job, fold of 100 (pool countPrimes) vs echo call round trip", "countPrimes", 2);
  row("per-job main-thread CPU (map isPrime of 100) vs echo call", "isPrime", 2, "cpuUs");
} finally {
  await server.stop();
}
