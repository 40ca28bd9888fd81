#!/usr/bin/env node
// Benchmark 5b: a 10,000,000-item map job (`square` over a range) in bounded memory. Each round
// starts a fresh server (so its peak RSS is this job's), warms it with a small job, then submits
// the 10^7 map with `Prefer: wait` (the answer carries the result) and fetches GET /result once
// more; the client counts the bytes and checks the last item without keeping the text.
// Memory: the server process's peak RSS (VmHWM, all threads) ÷ the result's JSON size. Goal <= 2.5x.
// Time: submit-to-last-byte ÷ (the same squares on one thread here + JSON.stringify), median of
// per-round ratios, the baseline run right before or after the server (alternating). Goal <= 1.2x.
import http from "node:http";
import { envNumber, median, memoryOf, report, round, spread, startServerProcess } from "./lib/common.mjs";

const ROUNDS = envNumber("ROUNDS", 2);
const N = envNumber("ITEMS", 10_000_000);
const body = (n) => JSON.stringify({ kind: "map", function: "square", input: { range: { start: 0, end: n } } });

/** Sends a request and streams the answer: byte count and the last 64 bytes, nothing kept. */
function fetchCounting(url, { method = "GET", payload, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    // A fresh connection per request: the baseline runs for seconds between requests, past the
    // server's keep-alive timeout, and a reused socket would be closed under us.
    const req = http.request(url, { method, agent: false, headers: payload === undefined ? headers : { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers } }, (res) => {
      let bytes = 0;
      let tail = Buffer.alloc(0);
      let head = "";
      res.on("data", (chunk) => {
        if (head.length < 2048) head += chunk.subarray(0, 2048).toString();
        bytes += chunk.length;
        tail = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - 64))]).subarray(-64);
      });
      res.on("end", () => resolve({ status: res.statusCode, bytes, head, tail: tail.toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

function singleThread() {
  const items = new Array(N);
  for (let i = 0; i < N; i++) items[i] = i * i;
  return JSON.stringify({ kind: "map", items });
}

const last = `${(N - 1) * (N - 1)}]}`;
const ratios = [];
const memRatios = [];
const times = { server: [], single: [] };
let resultBytes = 0;
const peaks = [];
for (let round_ = 0; round_ < ROUNDS; round_++) {
  const server = await startServerProcess();
  try {
    await fetchCounting(`${server.url}/v1/jobs`, { method: "POST", payload: body(100_000), headers: { prefer: "wait=60" } });
    let single = 0;
    const baseline = () => {
      const t = performance.now();
      resultBytes = Buffer.byteLength(singleThread());
      single = performance.now() - t;
    };
    if (round_ % 2 === 1) baseline();
    const t = performance.now();
    const res = await fetchCounting(`${server.url}/v1/jobs`, { method: "POST", payload: body(N), headers: { prefer: "wait=300" } });
    const viaServer = performance.now() - t;
    if (res.status !== 200 || !res.tail.endsWith(`${last}}`)) throw new Error(`job: ${res.status} ${res.head.slice(0, 300)} … ${res.tail}`);
    if (round_ % 2 === 0) baseline();
    const id = /"id":"([^"]+)"/.exec(res.head)?.[1];
    const again = await fetchCounting(`${server.url}/v1/jobs/${id}/result`);
    if (again.status !== 200 || !again.tail.endsWith(last) || again.bytes !== resultBytes) throw new Error(`result: ${again.status} ${again.bytes} vs ${resultBytes} bytes … ${again.tail}`);
    const mem = memoryOf(server.pid);
    peaks.push(mem.peakMb);
    memRatios.push((mem.peakMb * 1024 * 1024) / resultBytes);
    times.server.push(viaServer);
    times.single.push(single);
    ratios.push(viaServer / single);
  } finally {
    await server.stop();
  }
}
const ratio = round(median(ratios));
const memRatio = round(median(memRatios));
report({
  name: `10M-item map job (square over a range, Prefer wait + GET /result): server peak RSS ÷ result size; time vs one thread + JSON.stringify`,
  ratio,
  goal: "time <= 1.2x; peak RSS <= 2.5x the result's JSON size",
  pass: ratio <= 1.2 && memRatio <= 2.5,
  spread: spread(ratios),
  rss_per_result_byte: memRatio,
  rss_spread: spread(memRatios),
  result_mb: round(resultBytes / 1024 / 1024, 1),
  server_peak_rss_mb: peaks,
  server_ms: Math.round(median(times.server)),
  single_ms: Math.round(median(times.single)),
});
