#!/usr/bin/env node
// Benchmark 4: round trip of a small job (map `square` over 100 items, `Prefer: wait=10`) vs the
// round trip of a sync `echo` call, sequential (one request in flight), same server process,
// same run, alternating blocks. ratio = median job round trip ÷ median echo round trip (median
// of per-round ratios). Goal <= 3x.
import { envNumber, median, postJson, report, round, spread, startServerProcess } from "./lib/common.mjs";

const ROUNDS = envNumber("ROUNDS", 5);
const CALLS = envNumber("CALLS", 300);
const items = Array.from({ length: 100 }, (_, i) => i);
const jobBody = JSON.stringify({ kind: "map", function: "square", input: { items } });
const echoBody = JSON.stringify({ input: { user: "ada", id: 42, tags: ["a", "b", "c"] } });

const server = await startServerProcess();
const jobUrl = `${server.url}/v1/jobs`;
const echoUrl = `${server.url}/v1/functions/echo/call`;

async function job() {
  const res = await postJson(jobUrl, jobBody, { prefer: "wait=10" });
  if (res.status !== 200) throw new Error(`job: ${res.status} ${res.text.slice(0, 300)}`);
  const out = JSON.parse(res.text);
  if (out.status !== "successful" || out.result.items.length !== 100 || out.result.items[99] !== 99 * 99) throw new Error(`job: ${res.text.slice(0, 300)}`);
}
async function echo() {
  const res = await postJson(echoUrl, echoBody);
  if (res.status !== 200) throw new Error(`echo: ${res.status} ${res.text.slice(0, 300)}`);
  JSON.parse(res.text);
}
/** Median round trip (ms) of `n` sequential calls. */
async function block(fn, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

try {
  await block(job, 200); // warm JIT, workers, sockets
  await block(echo, 200);
  const ratios = [];
  const jobMs = [];
  const echoMs = [];
  for (let i = 0; i < ROUNDS; i++) {
    let j, e;
    if (i % 2 === 0) {
      j = await block(job, CALLS);
      e = await block(echo, CALLS);
    } else {
      e = await block(echo, CALLS);
      j = await block(job, CALLS);
    }
    jobMs.push(j);
    echoMs.push(e);
    ratios.push(j / e);
  }
  const ratio = round(median(ratios));
  report({
    name: `small job (map of 100, Prefer wait) vs echo call, sequential round trip (${ROUNDS}×${CALLS})`,
    ratio,
    goal: "<= 3x",
    pass: ratio <= 3,
    spread: spread(ratios),
    job_ms: round(median(jobMs), 3),
    echo_ms: round(median(echoMs), 3),
  });
} finally {
  await server.stop();
}
