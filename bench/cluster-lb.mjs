#!/usr/bin/env node
// `npm run cluster` topology (scripts/cluster.mjs: Redis with AOF, API nodes, two single-thread
// workers, HAProxy) vs the embedded server (a 2-thread pool), in the same run; two result lines:
// 1. a small job (map isPrime over 8 items, run on a worker) with `Prefer: wait` through the load
//    balancer vs embedded: median round trip (reported: every hop through Redis costs);
// 2. submit throughput (202s per second, 16 concurrent clients, 200 small map jobs) through the load
//    balancer with one API node vs two (reported: on a 2-core machine the nodes, the workers,
//    Redis and HAProxy share the same cores, so a second node cannot double it here).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startServer } from "@polybridge/server";
import { ROOT, envNumber, median, report, round } from "./lib/common.mjs";

const SMALL = envNumber("SMALL_JOBS", 200);
// Below the default queue bound (256 waiting jobs): this measures accepting jobs, not the backlog.
const SUBMITS = envNumber("SUBMITS", 200);
const CLIENTS = envNumber("CLIENTS", 16);
const small = { kind: "map", function: "isPrime", input: { items: [1, 2, 3, 4, 5, 6, 7, 8] } };
const tiny = JSON.stringify({ kind: "map", function: "square", input: { items: [1, 2, 3] } });

/** Clusters still up, by their exit promise: stopped with SIGTERM (cluster.mjs then stops its own children) if the bench fails. */
const running = new Map();

/** Starts scripts/cluster.mjs with `apiNodes` API nodes; resolves with its URL and a stop(). */
function startCluster(apiNodes) {
  const child = spawn(process.execPath, [join(ROOT, "scripts/cluster.mjs"), "--api-nodes", String(apiNodes)], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  running.set(child, exited);
  void exited.then(() => running.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (data) => {
      output += data.toString();
      const match = output.match(/polybridge cluster on (\S+)/);
      if (match) resolve({ url: match[1], stop: () => (child.kill("SIGTERM"), exited) });
    });
    child.once("exit", (code) => reject(new Error(`cluster exited ${code}:\n${output}`)));
  });
}

async function smallRoundTrip(url) {
  const started = performance.now();
  const res = await fetch(`${url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json", prefer: "wait=10" }, body: JSON.stringify(small) });
  const body = await res.json();
  if (body.status !== "successful" || body.result.items.join() !== "false,true,true,false,true,false,true,false") throw new Error(`small job: ${JSON.stringify(body)}`);
  return performance.now() - started;
}

/** Waits until the cluster ran every job submitted so far (health counts are refreshed every second). */
async function idle(url) {
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const { jobs } = await (await fetch(`${url}/v1/health`)).json();
    if (jobs.queued === 0 && jobs.running === 0) return;
  }
  throw new Error("the cluster did not run its backlog in 2 minutes");
}

/** Submits SUBMITS small jobs from CLIENTS concurrent loops on an idle cluster; jobs accepted per second. */
async function submitRate(url) {
  await idle(url);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next++ < SUBMITS) {
        const res = await fetch(`${url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: tiny });
        if (res.status !== 202 && res.status !== 200) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  return SUBMITS / ((performance.now() - started) / 1000);
}

const measured = {};
try {
  const embedded = await startServer({ port: 0, workers: 2 });
  const two = await startCluster(2);
  for (let i = 0; i < 20; i++) await Promise.all([smallRoundTrip(embedded.url), smallRoundTrip(two.url)]); // warm-up
  const times = (measured.times = { embedded: [], lb: [] });
  for (let i = 0; i < SMALL; i++) {
    times.embedded.push(await smallRoundTrip(embedded.url));
    times.lb.push(await smallRoundTrip(two.url));
  }
  await submitRate(two.url); // warm-up
  measured.rateTwo = await submitRate(two.url);
  await two.stop();
  const one = await startCluster(1);
  await submitRate(one.url);
  measured.rateOne = await submitRate(one.url);
  await one.stop();
  await embedded.close(1_000);
} catch (error) {
  console.error(error);
  for (const child of running.keys()) child.kill("SIGTERM");
  await Promise.all(running.values());
  process.exit(1);
}
const { times, rateOne, rateTwo } = measured;

report({
  name: `small job (map isPrime, 8 items) with Prefer: wait, ${SMALL} sequential: through HAProxy to 2 API nodes (Redis job store + BullMQ) vs embedded`,
  embedded_ms: round(median(times.embedded)),
  cluster_ms: round(median(times.lb)),
  ratio: round(median(times.lb) / median(times.embedded)),
  goal: "report",
  pass: null,
});
report({
  name: `submit throughput through HAProxy, ${SUBMITS} small map jobs from ${CLIENTS} clients: 2 API nodes vs 1`,
  one_node_jobs_per_s: Math.round(rateOne),
  two_nodes_jobs_per_s: Math.round(rateTwo),
  ratio: round(rateTwo / rateOne),
  goal: "report",
  pass: null,
});
process.exit(0);
