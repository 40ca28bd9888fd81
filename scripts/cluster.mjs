#!/usr/bin/env node
// `npm run cluster`: the scale-out topology on this machine, on 127.0.0.1 only: Redis (Debian's
// redis-server, AOF on), two `polybridge serve --redis` API nodes, two `polybridge worker`
// processes and HAProxy (Debian's) in front, round-robin over connections, no stickiness,
// SSE-friendly. Prints the
// URL; Ctrl-C or SIGTERM stops everything and removes the temporary folder.
//
//   npm run cluster [-- --port 8080] [--redis-port 6390] [--api-nodes 2] [--workers 2] [--threads 1]
//
// Ports default to free ephemeral ones. The environment is passed on (POLYBRIDGE_AUTH_TOKENS...).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "cli/bin/polybridge.js");
const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "0" },
    "redis-port": { type: "string", default: "0" },
    "api-nodes": { type: "string", default: "2" },
    workers: { type: "string", default: "2" },
    threads: { type: "string", default: "1" },
  },
});
const count = (name) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    console.error(`cluster: --${name} must be a whole number (got ${args[name]})`);
    process.exit(2);
  }
  return n;
};
const [apiNodes, workers, threads] = [count("api-nodes"), count("workers"), count("threads")];
if (apiNodes < 1 || workers < 1 || threads < 1) {
  console.error("cluster: --api-nodes, --workers and --threads must be at least 1");
  process.exit(2);
}

const children = [];
const dir = mkdtempSync(join(tmpdir(), "polybridge-cluster-"));
let stopping = false;

/** A free loopback port (the kernel's choice), or the one asked for. */
async function port(asked) {
  if (asked > 0) return asked;
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
}

/** Starts a child whose output is prefixed with its name; resolves when `ready` matches a line (with the match). */
function start(name, command, argv, ready) {
  const child = spawn(command, argv, { cwd: root, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
  children.push({ name, child });
  return new Promise((resolve, reject) => {
    let pending = ready;
    const onLine = (line) => {
      if (line) process.stdout.write(`[${name}] ${line}\n`);
      const match = pending && line.match(pending);
      if (match) {
        pending = undefined;
        resolve(match);
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = "";
      stream.on("data", (data) => {
        const lines = (rest + data.toString()).split("\n");
        rest = lines.pop() ?? "";
        lines.forEach(onLine);
      });
    }
    child.once("exit", (code, signal) => {
      if (pending) reject(new Error(`${name} exited (${signal ?? code}) before it was ready`));
      else if (!stopping) {
        console.error(`cluster: ${name} exited (${signal ?? code})`);
        // Without Redis or the load balancer there is no cluster; an API node or worker may come and go.
        if (name === "redis" || name === "haproxy") void stop(1);
      }
    });
    if (!ready) resolve(null);
  });
}

async function pong(redisPort, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port: redisPort });
      socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
      socket.once("error", () => resolve(false));
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (data) => (socket.destroy(), resolve(data.toString().startsWith("+PONG"))));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${redisPort}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops the load balancer first (no new requests), then API nodes (graceful), workers, Redis last. */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  const order = ["haproxy", "api", "worker", "redis"];
  for (const kind of order) {
    const group = children.filter(({ name, child }) => name.startsWith(kind) && child.exitCode === null && child.signalCode === null);
    await Promise.all(
      group.map(
        ({ child }) =>
          new Promise((resolve) => {
            const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
            child.once("exit", () => (clearTimeout(force), resolve()));
            child.kill("SIGTERM");
          }),
      ),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  console.log("cluster: stopped");
  process.exit(code);
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  for (const script of ["ensure-redis.sh", "ensure-haproxy.sh"]) execFileSync("bash", [join(root, "scripts", script)], { stdio: "inherit" });
  const redisPort = await port(count("redis-port"));
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  await start("redis", "redis-server", ["--bind", "127.0.0.1", "--port", String(redisPort), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--dir", dir]);
  await pong(redisPort, 20_000);
  const parallelism = String(workers * threads);
  const nodes = await Promise.all(
    Array.from({ length: apiNodes }, (_, i) =>
      start(`api${i + 1}`, process.execPath, [cli, "serve", "--redis", redisUrl, "--parallelism", parallelism, "--port", "0", "--host", "127.0.0.1"], /polybridge listening on (http:\/\/\S+)/),
    ),
  );
  await Promise.all(
    Array.from({ length: workers }, (_, i) => start(`worker${i + 1}`, process.execPath, [cli, "worker", "--redis", redisUrl, "--workers", String(threads)], /taking chunks/)),
  );
  const lbPort = await port(count("port"));
  const config = join(dir, "haproxy.cfg");
  // Round-robin over connections (layer 4), no stickiness: every new connection goes to the next
  // API node, and the API node parses HTTP itself, so a malformed request gets its problem+json
  // answer (an HTTP-mode proxy answers those with its own HTML pages, or repairs them). Long
  // client/server timeouts and no buffering keep SSE streams (heartbeat every 15 s) open; nodes are
  // checked on /v1/health every second and a dead one is skipped.
  writeFileSync(
    config,
    [
      "global",
      "  maxconn 4096",
      "defaults",
      "  mode tcp",
      "  timeout connect 5s",
      "  timeout client 1h",
      "  timeout server 1h",
      "frontend polybridge",
      `  bind 127.0.0.1:${lbPort}`,
      "  default_backend api",
      "backend api",
      "  balance roundrobin",
      "  option httpchk GET /v1/health",
      "  http-check expect status 200",
      ...nodes.map((match, i) => `  server api${i + 1} ${new URL(match[1]).host} check inter 1s fall 2 rise 1`),
      "",
    ].join("\n"),
  );
  execFileSync("haproxy", ["-c", "-q", "-f", config], { stdio: "inherit" });
  await start("haproxy", "haproxy", ["-db", "-f", config]);
  await new Promise((resolve, reject) => {
    const deadline = Date.now() + 20_000;
    const probe = async () => {
      try {
        if ((await fetch(`http://127.0.0.1:${lbPort}/v1/health`)).ok) return resolve();
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) return reject(new Error("haproxy did not answer /v1/health"));
      setTimeout(probe, 100);
    };
    void probe();
  });
  for (const [i, match] of nodes.entries()) console.log(`cluster: API node ${i + 1} on ${match[1]}`);
  console.log(`cluster: Redis on ${redisUrl} (AOF in ${dir}), ${workers} worker(s) × ${threads} thread(s)`);
  console.log(`polybridge cluster on http://127.0.0.1:${lbPort}`);
} catch (error) {
  console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}
