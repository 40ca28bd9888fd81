#!/usr/bin/env node
// Benchmark 5: a 1,000,000-item map job (`square` over a range, `Prefer: wait=60`) end to end —
// submit, wait, receive and parse the result JSON over HTTP — vs computing the same squares on
// one thread in this process plus JSON encode + decode of the same result. Same run, alternating.
// ratio = server time ÷ single-thread time (median of per-round ratios). Goal <= 2x.
// Also reports the server process's peak RSS (VmHWM of the child, all threads). Goal <= 400 MB.
import { envNumber, getText, median, memoryOf, postJson, report, round, spread, startServerProcess } from "./lib/common.mjs";

const ROUNDS = envNumber("ROUNDS", 3);
const N = envNumber("ITEMS", 1_000_000);
const job = JSON.stringify({ kind: "map", function: "square", input: { range: { start: 0, end: N } } });

const server = await startServerProcess();
const idle = memoryOf(server.pid);

async function viaServer() {
  const res = await postJson(`${server.url}/v1/jobs`, job, { prefer: "wait=60" });
  let body = JSON.parse(res.text);
  let items = body.result?.items;
  if (res.status === 202) {
    // Not finished within the wait: fetch the result the way a client would.
    const r = await getText(`${server.url}${body.links.result}`);
    body = JSON.parse(r.text);
    items = body.items;
  } else if (res.status !== 200 || body.status !== "successful") throw new Error(`job: ${res.status} ${res.text.slice(0, 300)}`);
  return items;
}

function singleThread() {
  const items = new Array(N);
  for (let i = 0; i < N; i++) items[i] = i * i;
  return JSON.parse(JSON.stringify({ kind: "map", items })).items;
}

try {
  const check = await viaServer(); // warm workers and JIT; check the answer once
  if (check.length !== N || check[N - 1] !== (N - 1) * (N - 1) || check[12345] !== 12345 * 12345) throw new Error("wrong result");
  singleThread();
  const ratios = [];
  const times = { server: [], single: [] };
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    const a = singleThread();
    const single = performance.now() - t;
    t = performance.now();
    const b = await viaServer();
    const viaHttp = performance.now() - t;
    if (a.length !== b.length) throw new Error("length mismatch");
    times.single.push(single);
    times.server.push(viaHttp);
    ratios.push(viaHttp / single);
  }
  const mem = memoryOf(server.pid);
  const ratio = round(median(ratios));
  report({
    name: `1M-item map job (square over a range, Prefer wait) end to end vs one thread + JSON round trip`,
    ratio,
    goal: "<= 2x; server peak RSS <= 400 MB",
    pass: ratio <= 2 && mem.peakMb <= 400,
    spread: spread(ratios),
    server_ms: Math.round(median(times.server)),
    single_ms: Math.round(median(times.single)),
    server_peak_rss_mb: mem.peakMb,
    server_rss_after_mb: mem.rssMb,
    server_idle_rss_mb: idle.rssMb,
    jobs_run: ROUNDS + 1,
  });
} finally {
  await server.stop();
}
