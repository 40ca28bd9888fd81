#!/usr/bin/env node
// Benchmark 1: sync call of `echo` (POST /v1/functions/echo/call, small body) under 50
// connections vs a bare fastify echo route with the same body; 1b: a sync call of a pool function
// (`isPrime(97)`: not `inline`, so it runs on a worker thread, like every user function by
// default) vs the same bare route. Goal >= 0.70. Same load generator for both (wrk
// when bench/setup.sh could install it, else autocannon in its own process), same run,
// alternating rounds; servers pinned to core 0, the load generator to core 1.
// ratio = polybridge req/s ÷ bare fastify req/s (median of the per-round ratios). Goal >= 0.75.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cpuMsOf, envNumber, median, pin, report, round, runNodeJson, spread, startListening, startServerProcess } from "./lib/common.mjs";

// Many short rounds rather than a few long ones: the machine is shared, and the two figures a
// ratio divides are then taken seconds apart, not a minute (3 s rounds ranged 0.36–0.94).
const ROUNDS = envNumber("ROUNDS", 15);
const DURATION_S = envNumber("DURATION_S", 1);
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
  polybridge: { server: polybridge, url: `${polybridge.url}/v1/functions/echo/call`, body, output: input },
  pool: { server: polybridge, url: `${polybridge.url}/v1/functions/isPrime/call`, body: JSON.stringify({ input: 97 }), output: true },
  bare: { server: bare, url: `${bare.url}/echo`, body, output: input },
};

// The right answer from each, before any load (wrk then counts non-2xx answers as failures).
for (const [name, { url, body, output }] of Object.entries(targets)) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const got = await res.json();
  if (res.status !== 200 || JSON.stringify(got.output) !== JSON.stringify(output)) throw new Error(`${name}: ${res.status} ${JSON.stringify(got)}`);
}

/** wrk, one thread, pinned; resolves with the JSON line printed by lib/post.lua. */
function wrk(url, body, durationS) {
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
  const { server, url, body } = targets[name];
  const cpuBefore = cpuMsOf(server.pid);
  const r =
    TOOL === "wrk"
      ? await wrk(url, body, durationS)
      : await runNodeJson(LOAD, [JSON.stringify({ url, body, connections: CONNECTIONS, durationS })], {
          cores: LOAD_CORE,
          timeoutMs: (durationS + 30) * 1000,
        });
  const cpuMs = cpuMsOf(server.pid) - cpuBefore;
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { ...r, cpuUsPerRequest: (cpuMs * 1000) / r.total };
}

try {
  // Warm every target (JIT, connection setup, workers) outside the measured rounds.
  const names = Object.keys(targets);
  for (const name of names) await load(name, 2);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < ROUNDS; i++) {
    // Rotate which goes first so drift on the shared machine hits every target alike.
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      runs[name].push(await load(name, DURATION_S));
    }
  }
  const med = (name, key) => round(median(runs[name].map((r) => r[key])), 1);
  const row = (label, name, goal) => {
    // Per round: this target's req/s ÷ bare fastify's req/s of the same round.
    const ratios = runs[name].map((r, i) => r.rps / runs.bare[i].rps);
    const ratio = round(median(ratios));
    report({
      label,
      name: `${label} (${CONNECTIONS} conns, ${ROUNDS}×${DURATION_S}s)`,
      ratio,
      goal: `>= ${goal}x`,
      pass: ratio >= goal,
      spread: spread(ratios),
      polybridge_rps: med(name, "rps"),
      bare_rps: med("bare", "rps"),
      polybridge_cpu_us_per_req: med(name, "cpuUsPerRequest"),
      bare_cpu_us_per_req: med("bare", "cpuUsPerRequest"),
      // CPU the server process spent per request (all its threads): less sensitive to a noisy neighbour than req/s.
      cpu_ratio: round(median(runs.bare.map((r) => r.cpuUsPerRequest)) / median(runs[name].map((r) => r.cpuUsPerRequest))),
      polybridge_p99_ms: med(name, "latencyP99Ms"),
      bare_p99_ms: med("bare", "latencyP99Ms"),
      load_tool: TOOL,
      pinned: pin(0).length > 0 ? `server core ${SERVER_CORE}, load core ${LOAD_CORE}` : "no",
    });
  };
  row("echo sync call (inline) req/s vs bare fastify", "polybridge", 0.75);
  row("isPrime(97) sync call (pool) req/s vs bare fastify", "pool", 0.7);
} finally {
  await Promise.all([polybridge.stop(), bare.stop()]);
}
