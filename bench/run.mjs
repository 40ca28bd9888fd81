#!/usr/bin/env node
// `npm run bench`: runs every benchmark in its own child process, one after another, then prints
// a table (name | ratio | goal | pass | spread). Each benchmark prints one JSON line
// { name, ratio, goal, pass, spread, ...details } whose baseline is measured in the same run.
// Bounded: each benchmark has a time limit (40 min in all, printed first); a run takes 4–6 min on a
// 2-core VM.
//   node bench/run.mjs [filter…]   only the benchmarks whose file name contains a filter
//   BENCH_JSON=path               also write every result line to that file (JSON array)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { ROOT } from "./lib/common.mjs";

const here = (file) => fileURLToPath(new URL(file, import.meta.url));

/** In order; `missing` is the row shown when the script does not exist (yet). */
const BENCHMARKS = [
  { file: "parallel-capacity.mjs", label: "calibration: 2 threads vs 1", limitS: 60 },
  { file: "echo-throughput.mjs", label: "1. sync call req/s vs bare fastify", limitS: 150 },
  { file: "sdk-call.mjs", label: "2. SDK call vs raw undici request", limitS: 240, missing: "not yet available" },
  { file: "primes.mjs", label: "3. primes range job speedup ÷ 2-thread calibration", limitS: 180 },
  { file: "small-job.mjs", label: "4. small jobs vs echo call", limitS: 180 },
  { file: "map-1m.mjs", label: "5. 1M-item map job vs one thread", limitS: 90 },
  { file: "map-10m.mjs", label: "5b. 10M-item map: peak RSS ÷ result size; time vs one thread + JSON", limitS: 180 },
  { file: "map-items.mjs", label: "5c. 1M-item map of listed items vs the same range", limitS: 120 },
  { file: "codegen.mjs", label: "6. generate (GitHub REST spec) vs openapi-typescript", limitS: 240 },
  { file: "python-primes.mjs", label: "7. Python Pool(2) vs server job", limitS: 120 },
  { file: "templates.mjs", label: "8. server templates vs reference (primes range job)", limitS: 240 },
  { file: "cluster.mjs", label: "9. Redis + BullMQ workers vs embedded (primes range job; small Prefer: wait job)", limitS: 300 },
  { file: "cluster-lb.mjs", label: "10. npm run cluster through HAProxy (small Prefer: wait job vs embedded; submits/s 2 API nodes vs 1)", limitS: 300 },
];

function run(script, limitS) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => {
      out += c;
      process.stdout.write(c);
    });
    child.stderr.on("data", (c) => {
      err += c;
      process.stderr.write(c);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    }, limitS * 1000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      // One JSON line per result (bench/templates.mjs prints one per template).
      const results = [];
      for (const line of out.split("\n").filter((l) => l.startsWith("{"))) {
        try {
          results.push(JSON.parse(line));
        } catch {
          // not a result line
        }
      }
      if (code === 0 && results.length > 0) return resolve(results);
      const why = timedOut ? `timed out after ${limitS} s` : `exit ${code ?? signal}`;
      resolve([{ error: `${why}: ${(err.trim().split("\n").at(-1) ?? "").slice(0, 160)}` }]);
    });
  });
}

const filters = process.argv.slice(2);
const selected = BENCHMARKS.filter((b) => filters.length === 0 || filters.some((f) => b.file.includes(f)));
const started = performance.now();

// wrk for the throughput benchmark (checks first; autocannon is the fallback).
if (selected.some((b) => b.file === "echo-throughput.mjs") && spawnSync("wrk", ["--version"]).error) {
  spawnSync("bash", [here("./setup.sh")], { stdio: "inherit" });
}

// The machine's load says how far to trust this run's figures (on a shared machine, other
// processes take cores from the servers and the load generator alike).
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "?"}), load average at start ${load()}`;
console.log(`polybridge benchmarks: ${machine}; at most ${Math.round(selected.reduce((n, b) => n + b.limitS, 0) / 60)} min (each script's limit)`);

const rows = [];
for (const bench of selected) {
  const script = here(`./${bench.file}`);
  if (!existsSync(script)) {
    rows.push({ label: bench.label, result: { ratio: null, goal: "", pass: null, spread: null, status: bench.missing ?? "missing" } });
    continue;
  }
  console.log(`\n▶ ${bench.file}`);
  const t = performance.now();
  const results = await run(script, bench.limitS);
  const seconds = Math.round((performance.now() - t) / 1000);
  for (const result of results) {
    const label = results.length > 1 ? `${bench.label}: ${result.label ?? result.name ?? "?"}` : bench.label;
    rows.push({ label, result, seconds });
  }
}

const cell = (v) => (v === null || v === undefined ? "—" : String(v));
const table = [
  "| benchmark | ratio | goal | pass | spread |",
  "|---|---|---|---|---|",
  ...rows.map(({ label, result: r }) => {
    if (r.error) return `| ${label} | error: ${r.error.replaceAll("|", "/")} | ${cell(r.goal)} | ✗ | — |`;
    const pass = r.pass === true ? "✓" : r.pass === false ? "✗" : "—";
    const ratio = r.ratio === null || r.ratio === undefined ? (r.status ?? "—") : `${r.ratio}x`;
    return `| ${label} | ${ratio} | ${cell(r.goal)} | ${pass} | ${cell(r.spread)} |`;
  }),
];
const calibration = rows.find((r) => r.label.startsWith("calibration"))?.result.ratio;
console.log(`\npolybridge benchmarks — ${Math.round((performance.now() - started) / 1000)} s, node ${process.version}; ${machine}, at the end ${load()}; calibration (2 threads vs 1) ${calibration === undefined ? "not run" : `${calibration}x`}\n`);
console.log(table.join("\n"));
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows, null, 2));
