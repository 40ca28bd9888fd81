#!/usr/bin/env node
// `npm run soak`: the hardening suites (test/hardening/) for longer. For SOAK_SECONDS (default
// 120) a server process with test/fixtures/faultFunctions.mjs takes the mixed load of
// test/hardening/loadGenerator.mjs (CONNECTIONS, default 200) while this process
//   - probes /v1/health on its own socket (health p99),
//   - injects the faults of test/hardening/faults.test.ts one after another, in a loop, and
//     checks each job's problem and that the process is still alive,
//   - trickles tiny jobs into a second server started with --max-old-space-size=64 (a bounded
//     job store), and samples both servers' RSS;
// then SIGTERMs the loaded server during a running job (503 shutting_down, exit 0 within the
// grace period). Prints one summary JSON line; exits 1 when anything failed.
import { fileURLToPath } from "node:url";
import http from "node:http";
import { envNumber, memoryOf, round, runNodeJson, SERVER_CLI, startListening } from "./lib/common.mjs";

const SOAK_SECONDS = envNumber("SOAK_SECONDS", 120);
const CONNECTIONS = envNumber("CONNECTIONS", 200);
const GRACE_MS = 2_000;
const FAULTS = fileURLToPath(new URL("../test/fixtures/faultFunctions.mjs", import.meta.url));
const GENERATOR = fileURLToPath(new URL("../test/hardening/loadGenerator.mjs", import.meta.url));

const quantile = (xs, q) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (server) => server.child.exitCode === null && server.child.signalCode === null;

const server = await startListening(process.execPath, [SERVER_CLI, "serve", "--port", "0", "--functions", FAULTS, "--grace-ms", String(GRACE_MS)]);
const small = await startListening(process.execPath, ["--max-old-space-size=64", SERVER_CLI, "serve", "--port", "0"]);
const failures = [];
const fail = (what) => {
  if (failures.length < 50) failures.push(what);
};

/** fetch, bounded, answering { status, headers, body (parsed JSON or text), ms }. */
async function call(base, method, path, { json, headers = {}, timeoutMs = 70_000 } = {}) {
  const t = performance.now();
  const res = await fetch(base.url + path, {
    method,
    headers: json === undefined ? headers : { "content-type": "application/json", ...headers },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body, ms: performance.now() - t };
}
const submit = (job, wait) => call(server, "POST", "/v1/jobs", { json: job, headers: wait ? { prefer: `wait=${wait}` } : {} });
async function settle(id, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(server, "GET", `/v1/jobs/${id}`);
    if (["successful", "failed", "dismissed"].includes(r.body.status)) return r.body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${r.body.status}`);
    await sleep(50);
  }
}
async function untilRunning(id) {
  for (let i = 0; i < 400; i++) {
    const r = await call(server, "GET", `/v1/jobs/${id}`);
    if (r.body.status !== "accepted") return r.body.status;
    await sleep(25);
  }
  return "accepted";
}
const expectError = (job, codes) => {
  if (job.status !== "failed" || !codes.includes(job.error?.code)) throw new Error(`expected failed ${codes.join("|")}, got ${job.status} ${JSON.stringify(job.error ?? job.result ?? {}).slice(0, 300)}`);
};

/** The faults of test/hardening/faults.test.ts; each throws when the outcome is wrong. */
const faults = {
  async combineThrows() {
    const r = await submit({ kind: "fold", function: "combineThrows", input: { items: [1, 2, 3] }, options: { chunkSize: 1 } }, 30);
    expectError(r.body, ["internal_error", "item_failed"]);
  },
  async stepThrows() {
    const r = await submit({ kind: "fold", function: "stepThrows", input: { items: [1, 2, 3] }, options: { chunkSize: 1 } }, 30);
    expectError(r.body, ["item_failed"]);
    if (r.body.error.itemIndex !== 1) throw new Error(`itemIndex ${r.body.error.itemIndex}, expected 1`);
  },
  async exitWorker() {
    const r = await submit({ kind: "map", function: "exitWorker", input: { items: [1] } }, 60);
    expectError(r.status === 200 ? r.body : await settle(r.body.id), ["worker_crashed"]);
  },
  async busyLoopTimeout() {
    const r = await submit({ kind: "map", function: "busyLoop", input: { items: [8_000, 8_000] }, options: { chunkSize: 1, timeoutMs: 500 } }, 30);
    expectError(r.body, ["job_timeout"]);
    const ran = Date.parse(r.body.finishedAt) - Date.parse(r.body.startedAt);
    if (ran > 2_000) throw new Error(`job_timeout after ${ran} ms (timeoutMs 500)`);
  },
  async busyLoopCancel() {
    const r = await submit({ kind: "map", function: "busyLoop", input: { items: [8_000, 8_000] }, options: { chunkSize: 1 } });
    await untilRunning(r.body.id);
    const d = await call(server, "DELETE", `/v1/jobs/${r.body.id}`);
    if (d.status !== 200 || d.body.status !== "dismissed") throw new Error(`DELETE → ${d.status} ${d.body.status}`);
    const next = await submit({ kind: "map", function: "busyLoop", input: { items: [1, 2] }, options: { chunkSize: 1 } }, 30);
    if (next.body.status !== "successful" || next.ms > 6_000) throw new Error(`the next job: ${next.body.status} after ${Math.round(next.ms)} ms`);
  },
  async cheapFoldTimeout() {
    const r = await submit({ kind: "fold", function: "sum", input: { range: { start: 0, end: 1_000_000 } }, options: { chunkSize: 1, timeoutMs: 1_000 } }, 30);
    expectError(r.status === 200 ? r.body : await settle(r.body.id), ["job_timeout"]);
  },
  async hogMemory() {
    const r = await submit({ kind: "map", function: "hogMemory", input: { items: [1] } }, 60);
    expectError(r.status === 200 ? r.body : await settle(r.body.id, 120_000), ["worker_crashed"]);
  },
  async resultTooLarge() {
    const res = await fetch(`${server.url}/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", prefer: "wait=60" },
      body: JSON.stringify({ kind: "map", function: "isEven", input: { range: { start: 0, end: 100_000_000 } } }),
      signal: AbortSignal.timeout(90_000),
    });
    let head = "";
    const reader = res.body.getReader();
    for (let piece = await reader.read(); !piece.done; piece = await reader.read()) if (head.length < 4_096) head += Buffer.from(piece.value).toString("utf8");
    const id = /"id":"(job_[0-9a-f]+)"/.exec(head)?.[1];
    if (!id) throw new Error(`${res.status} ${head.slice(0, 300)}`);
    const job = await settle(id, 90_000);
    if (job.status !== "successful") expectError(job, ["result_too_large"]);
  },
};
const tally = Object.fromEntries(Object.keys(faults).map((name) => [name, { pass: 0, fail: 0 }]));

const deadline = Date.now() + SOAK_SECONDS * 1_000;
let loading = true;

// Health prober on its own keep-alive socket.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const healthMs = [];
let healthFailures = 0;
const prober = (async () => {
  while (loading) {
    await new Promise((resolve) => {
      const t = performance.now();
      const req = http.get(`${server.url}/v1/health`, { agent, timeout: 5_000 }, (res) => {
        res.resume();
        res.on("end", () => {
          healthMs.push(performance.now() - t);
          if (res.statusCode !== 200) healthFailures++;
          resolve();
        });
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        healthFailures++;
        resolve();
      });
    });
    await sleep(50);
  }
})();

const faultLoop = (async () => {
  const names = Object.keys(faults);
  for (let i = 0; Date.now() < deadline && alive(server); i++) {
    const name = names[i % names.length];
    try {
      await faults[name]();
      tally[name].pass++;
    } catch (error) {
      tally[name].fail++;
      fail(`${name}: ${error.message}`);
    }
    if (!alive(server)) fail(`the server died after ${name}`);
  }
})();

const tiny = { sent: 0, ok: 0, other: {} };
const tinyLoop = (async () => {
  while (Date.now() < deadline && alive(small)) {
    try {
      const r = await call(small, "POST", "/v1/jobs", { json: { kind: "map", function: "square", input: { items: [tiny.sent, 2] } }, headers: { prefer: "wait=5" }, timeoutMs: 10_000 });
      tiny.sent++;
      if (r.status === 200 && r.body.status === "successful") tiny.ok++;
      else if (!(r.status === 503 && /^\d+$/.test(r.headers.get("retry-after") ?? ""))) tiny.other[`${r.status} ${r.body.code ?? r.body.status}`] = (tiny.other[`${r.status} ${r.body.code ?? r.body.status}`] ?? 0) + 1;
    } catch (error) {
      fail(`tiny job: ${error.message}`);
      await sleep(500);
    }
  }
})();

let load;
try {
  load = await runNodeJson(GENERATOR, [JSON.stringify({ url: server.url, connections: CONNECTIONS, durationS: SOAK_SECONDS })], { timeoutMs: (SOAK_SECONDS + 60) * 1_000 });
} catch (error) {
  fail(`load generator: ${error.message}`);
}
loading = false;
await Promise.all([prober, faultLoop, tinyLoop]);
agent.destroy();
const rss = memoryOf(server.pid);
const smallRss = memoryOf(small.pid);

if (!alive(server)) fail("the loaded server died");
if (!alive(small)) fail("the 64 MB server died");
if (load) {
  if (load.errors || load.timeouts || load.mismatches) fail(`load: ${load.errors} errors, ${load.timeouts} timeouts, ${load.mismatches} mismatches; e.g. ${JSON.stringify(load.errorSamples)}`);
  if (load.unexpectedCount) fail(`load: ${load.unexpectedCount} unexpected answers, e.g. ${JSON.stringify(load.unexpected)}`);
}
if (healthFailures) fail(`health prober: ${healthFailures} failures`);
if (Object.keys(tiny.other).length) fail(`tiny jobs: ${JSON.stringify(tiny.other)}`);

// SIGTERM during a running job: refused submissions, exit 0 within the grace period.
let shutdown = "not run";
if (alive(server)) {
  try {
    const job = await submit({ kind: "map", function: "busyLoop", input: { items: [20_000] } });
    await untilRunning(job.body.id);
    const t = performance.now();
    const exit = new Promise((resolve) => server.child.once("exit", (code) => resolve(code)));
    server.child.kill("SIGTERM");
    await sleep(200);
    const refused = await submit({ kind: "map", function: "square", input: { items: [1] } });
    const code = await Promise.race([exit, sleep(GRACE_MS + 5_000).then(() => "still running")]);
    const took = Math.round(performance.now() - t);
    shutdown = `${refused.status} ${refused.body.code} retry-after ${refused.headers.get("retry-after")}; exit ${code} after ${took} ms`;
    if (refused.status !== 503 || refused.body.code !== "shutting_down" || !refused.headers.get("retry-after")) fail(`after SIGTERM a submission got ${refused.status} ${refused.body.code}`);
    if (code !== 0 || took > GRACE_MS + 3_000) fail(`SIGTERM: ${shutdown}`);
  } catch (error) {
    fail(`SIGTERM: ${error.message}`);
  }
}
await Promise.all([server.stop(), small.stop()]);

console.log(
  JSON.stringify({
    name: `soak: ${CONNECTIONS} connections of mixed traffic + faults for ${SOAK_SECONDS} s`,
    pass: failures.length === 0,
    rps: load ? Math.round(load.rps) : null,
    p99Ms: load?.latencyP99Ms ?? null,
    healthP99Ms: round(quantile(healthMs, 0.99), 1),
    healthProbes: healthMs.length,
    peakRssMb: rss.peakMb,
    rssEndMb: rss.rssMb,
    statusCodes: load?.statusCodes ?? null,
    faults: tally,
    tinyJobs: { ...tiny, peakRssMb: smallRss.peakMb },
    shutdown,
    failures,
  }),
);
process.exit(failures.length === 0 ? 0 : 1);
