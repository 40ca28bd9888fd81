#!/usr/bin/env node
// Benchmark 1: sync call of `echo` (POST /v1/functions/echo/call, small body) under 50
// connections vs a bare fastify echo route with the same body. Same load generator for both (wrk
// when bench/setup.sh could install it, else autocannon in its own process), same run,
// alternating rounds; servers pinned to core 0, the load generator to core 1.
// ratio = polybridge req/s ÷ bare fastify req/s (median of the per-round ratios). Goal >= 0.75.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cpuMsOf, envNumber, median, pin, report, round, runNodeJson, spread, startListening, startServerProcess } from "./lib/common.mjs";

const ROUNDS = envNumber("ROUNDS", 5);
const DURATION_S = envNumber("DURATION_S", 3);
const CONNECTIONS = envNumber("CONNECTIONS", 50);
const SERVER_CORE = 0;
const LOAD_CORE = 1;
const LOAD = fileURLToPath(new URL("./lib/load.mjs", import.meta.url));
const WRK_SCRIPT = fileURLToPath(new URL("./lib/post.lua", import.meta.url));
const TOOL = process.env.LOAD_TOOL ?? (spawnSync("wrk", ["--version"]).error ? "autocannon" : "wrk");
const BARE = fileURLToPath(new URL("./lib/bare-fastify.mjs", import.meta.url));
const input = { user: "ada", id: 42, tags: ["a", "b", "c"], nested: { ok: true, ratio: 0.5 } };
const body = JSON.stringify({ input });

const polybridge = await startServerProcess({ cores: SERVER_CORE });
const bare = await startListening(process.execPath, [BARE], { prefix: pin(SERVER_CORE) });
const targets = {
  polybridge: { server: polybridge, url: `${polybridge.url}/v1/functions/echo/call` },
  bare: { server: bare, url: `${bare.url}/echo` },
};

// Same answer from both, before any load.
for (const [name, { url }] of Object.entries(targets)) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const got = await res.json();
  if (res.status !== 200 || JSON.stringify(got.output) !== JSON.stringify(input)) throw new Error(`${name}: ${res.status} ${JSON.stringify(got)}`);
}

/** wrk, one thread, pinned; resolves with the JSON line printed by lib/post.lua. */
function wrk(url, durationS) {
  const argv = [...pin(LOAD_CORE), "wrk", "-t1", `-c${CONNECTIONS}`, `-d${durationS}s`, "--timeout", "5s", "-s", WRK_SCRIPT, url];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, BENCH_BODY: body }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), (durationS + 30) * 1000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`wrk exited ${code}: ${out}`));
      const r = JSON.parse(line);
      resolve({ ...r, rps: r.total / (r.durationUs / 1e6) });
    });
  });
}

async function load(name, durationS) {
  const { server, url } = targets[name];
  const cpuBefore = cpuMsOf(server.pid);
  const r =
    TOOL === "wrk"
      ? await wrk(url, durationS)
      : await runNodeJson(LOAD, [JSON.stringify({ url, body, connections: CONNECTIONS, durationS })], {
          cores: LOAD_CORE,
          timeoutMs: (durationS + 30) * 1000,
        });
  const cpuMs = cpuMsOf(server.pid) - cpuBefore;
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { ...r, cpuUsPerRequest: (cpuMs * 1000) / r.total };
}

try {
  // Warm both (JIT, connection setup) outside the measured rounds.
  await load("polybridge", 2);
  await load("bare", 2);
  const ratios = [];
  const runs = { polybridge: [], bare: [] };
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first so drift on the shared machine hits both alike.
    const order = i % 2 === 0 ? ["polybridge", "bare"] : ["bare", "polybridge"];
    const got = {};
    for (const name of order) got[name] = await load(name, DURATION_S);
    runs.polybridge.push(got.polybridge);
    runs.bare.push(got.bare);
    ratios.push(got.polybridge.rps / got.bare.rps);
  }
  const med = (name, key) => round(median(runs[name].map((r) => r[key])), 1);
  const ratio = round(median(ratios));
  report({
    name: `echo sync call req/s vs bare fastify (${CONNECTIONS} conns, ${ROUNDS}×${DURATION_S}s)`,
    ratio,
    goal: ">= 0.75x",
    pass: ratio >= 0.75,
    spread: spread(ratios),
    polybridge_rps: med("polybridge", "rps"),
    bare_rps: med("bare", "rps"),
    polybridge_cpu_us_per_req: med("polybridge", "cpuUsPerRequest"),
    bare_cpu_us_per_req: med("bare", "cpuUsPerRequest"),
    // CPU the server process spent per request: less sensitive to a noisy neighbour than req/s.
    cpu_ratio: round(median(runs.bare.map((r) => r.cpuUsPerRequest)) / median(runs.polybridge.map((r) => r.cpuUsPerRequest))),
    polybridge_p99_ms: med("polybridge", "latencyP99Ms"),
    bare_p99_ms: med("bare", "latencyP99Ms"),
    load_tool: TOOL,
    pinned: pin(0).length > 0 ? `server core ${SERVER_CORE}, load core ${LOAD_CORE}` : "no",
  });
} finally {
  await Promise.all([polybridge.stop(), bare.stop()]);
}
