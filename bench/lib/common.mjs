// Shared helpers of the benchmarks: statistics, the one-line JSON result, the reference server
// as a child process (optionally pinned to cores), its peak RSS, and a bounded child runner.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SERVER_CLI = fileURLToPath(new URL("../../cli/dist/cli.js", import.meta.url));

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
export const round = (x, digits = 2) => Number(x.toFixed(digits));
export const spread = (ratios, digits = 2) => `${Math.min(...ratios).toFixed(digits)}–${Math.max(...ratios).toFixed(digits)}`;

/** Prints the benchmark's one JSON line (the last line of stdout is what bench/run.mjs reads). */
export function report(result) {
  console.log(JSON.stringify(result));
}

/** Number of the env var `name`, or `fallback`. */
export const envNumber = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));

/**
 * `taskset -c CORES` prefix when there are at least two cores and taskset exists; else none.
 * Pinning keeps the load generator off the server's core so they do not fight for it.
 */
let tasksetOk;
export function pin(cores) {
  if (tasksetOk === undefined) {
    tasksetOk = availableParallelism() >= 2 && spawnSyncOk("taskset", ["-c", "0", "true"]);
  }
  return tasksetOk && cores !== undefined ? ["taskset", "-c", String(cores)] : [];
}

function spawnSyncOk(cmd, args) {
  try {
    return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
  } catch {
    return false;
  }
}

// Children (servers) die with this process, even when it is stopped by a signal or a throw.
const children = new Set();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => process.exit(128 + (signal === "SIGTERM" ? 15 : 2)));

/**
 * Starts a process that prints `... listening on http://HOST:PORT` and resolves with its URL.
 * `prefix` is a command prefix such as `pin(0)`.
 */
export function startListening(command, args, { prefix = [], env = {}, timeoutMs = 20_000 } = {}) {
  const argv = [...prefix, command, ...args];
  const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${argv.join(" ")}: no 'listening' line within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEarlyExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(" ")} exited with ${code} before listening`));
    };
    child.once("exit", onEarlyExit);
    const onData = (chunk) => {
      buffered += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        // Once: later output (e.g. the shutdown line) must not run this again.
        child.stdout.off("data", onData);
        child.off("exit", onEarlyExit);
        child.stdout.resume();
        resolve({
          url: match[1],
          pid: child.pid,
          child,
          /** SIGTERM, then SIGKILL after 5 s; resolves when it exited. */
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
              child.once("exit", () => {
                clearTimeout(kill);
                done();
              });
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout.on("data", onData);
  });
}

/** The reference server (`node cli/dist/cli.js serve --port 0`) as a child process. */
export function startServerProcess({ cores, workers, env } = {}) {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  // BENCH_SERVER_ARGS="--log-level warn" adds flags to every benchmark's `polybridge serve`.
  const serveArgs = (process.env.BENCH_SERVER_ARGS ?? "").split(" ").filter(Boolean);
  const args = [...nodeArgs, SERVER_CLI, "serve", "--port", "0", ...serveArgs, ...(workers ? ["--workers", String(workers)] : [])];
  // With taskset in front the child pid is node's own (taskset execs).
  return startListening(process.execPath, args, { prefix: pin(cores), env });
}

/** Peak and current resident set size of a process in MB (VmHWM, VmRSS from /proc/PID/status). */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { peakMb: round(kb("VmHWM") / 1024, 1), rssMb: round(kb("VmRSS") / 1024, 1) };
}

/**
 * Runs `node script args` (optionally pinned), bounded by `timeoutMs`; resolves with the parsed
 * last JSON line of its stdout.
 */
export function runNodeJson(script, args = [], { cores, timeoutMs = 120_000, env = {} } = {}) {
  const argv = [...pin(cores), process.execPath, script, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").at(-1) ?? "";
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`);
        resolve(JSON.parse(line));
      } catch (error) {
        reject(new Error(`${script}: ${error.message}; output: ${out.slice(-500)}`));
      }
    });
  });
}

/**
 * CPU time (user + system) a process has used so far, in ms (from /proc/PID/stat, all threads);
 * with `mainThreadOnly`, its main thread's alone (/proc/PID/task/PID/stat: Node's event loop).
 */
export function cpuMsOf(pid, mainThreadOnly = false) {
  if (mainThreadOnly) {
    // schedstat's first field is the thread's time on a CPU in ns: /proc's ticks (10 ms) are too
    // coarse for blocks of a few hundred requests.
    try {
      return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
    } catch {
      // no schedstat in this kernel: the ticks below
    }
  }
  const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return (ticks * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  return Number(r.stdout?.trim()) || 100;
})();

import http from "node:http";
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });

/**
 * POSTs JSON with node:http on a keep-alive agent (a thin client, so its own cost adds little to
 * round trips); resolves with { status, headers, text }.
 */
export function postJson(url, body, headers = {}) {
  return request("POST", url, typeof body === "string" ? body : JSON.stringify(body), headers);
}

/** GET over the same keep-alive agent. */
export function getText(url) {
  return request("GET", url, undefined, {});
}

function request(method, url, payload, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent: keepAlive,
        headers: payload === undefined ? headers : { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

import { Worker } from "node:worker_threads";
const PRIME_LOOP = new URL("./prime-loop-worker.mjs", import.meta.url);

/**
 * The calibration loop: ms for `threads` worker threads each counting the primes below `n` at
 * once. 2 × t(1) ÷ t(2) is how much of a second core the machine offers right now.
 */
export async function capacityLoop(threads, n) {
  const one = () =>
    new Promise((resolve, reject) => {
      const w = new Worker(PRIME_LOOP, { workerData: { start: 0, end: n } });
      w.once("message", resolve);
      w.once("error", reject);
    });
  const t = performance.now();
  await Promise.all(Array.from({ length: threads }, one));
  return performance.now() - t;
}
