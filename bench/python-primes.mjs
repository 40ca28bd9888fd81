#!/usr/bin/env node
// Benchmark 7 (reference, no goal): the seed language's way — Python's
// multiprocessing.Pool(2).map over the same prime-counting chunks with the same trial division
// (bench/python/primes_pool.py) — vs the reference server's range fold job (countPrimes,
// 2 workers), both counting the primes below N = 2,000,000 (not 16M: pure Python would take
// minutes) in chunks of 250,000, same run. ratio = Python time ÷ Node server job time (> 1: the
// server is faster). Both pools are started and warmed before timing.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { envNumber, median, postJson, report, round, spread, startServerProcess } from "./lib/common.mjs";

const N = envNumber("PY_PRIMES_BELOW", 2_000_000);
const CHUNK = 250_000;
const WORKERS = 2;
const ROUNDS = envNumber("ROUNDS", 3);
const SCRIPT = fileURLToPath(new URL("./python/primes_pool.py", import.meta.url));
const name = `primes below ${N}: Python Pool(${WORKERS}).map vs server range job (reference, no goal)`;
const python = process.env.PYTHON ?? "python3";

if (spawnSync(python, ["--version"]).error) {
  report({ name, ratio: null, goal: "none (reference)", pass: null, spread: null, status: `${python} not found` });
  process.exit(0);
}

function runPython() {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, String(N), String(CHUNK), String(WORKERS), "1"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`python exited ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)));
    });
  });
}

const server = await startServerProcess({ workers: WORKERS });
const job = JSON.stringify({ kind: "fold", function: "countPrimes", input: { range: { start: 0, end: N } }, options: { chunkSize: CHUNK } });
async function viaServer() {
  const res = await postJson(`${server.url}/v1/jobs`, job, { prefer: "wait=60" });
  const body = JSON.parse(res.text);
  if (body.status !== "successful") throw new Error(`job ${res.status}: ${res.text.slice(0, 300)}`);
  return body.result.value;
}

try {
  await viaServer(); // warm
  const nodeMs = [];
  const pyMs = [];
  let count;
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate: one server job, then one Python pool.map (fresh interpreter per round, its
    // pool started before its timer, the server idle meanwhile).
    const t = performance.now();
    count = await viaServer();
    nodeMs.push(performance.now() - t);
    const py = await runPython();
    if (py.count !== count) throw new Error(`python counted ${py.count}, server ${count}`);
    pyMs.push(py.ms[0]);
  }
  const ratios = pyMs.map((p, i) => p / nodeMs[i]);
  report({
    name,
    ratio: round(median(ratios)),
    goal: "none (reference)",
    pass: null,
    spread: spread(ratios),
    python_ms: Math.round(median(pyMs)),
    server_ms: Math.round(median(nodeMs)),
    primes: count,
    n: N,
    chunk_size: CHUNK,
  });
} finally {
  await server.stop();
}
