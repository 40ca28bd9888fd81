#!/usr/bin/env node
// Benchmark 5c: a 1,000,000-item map job (`square`, `Prefer: wait`) whose input is listed
// (`items`: a 6.9 MB body the server parses, depth-checks, validates and slices into chunks)
// vs the same job given as a `range` (a few bytes), end to end over HTTP with the result parsed.
// Same run, order alternating per round; ratio = median of per-round (items ÷ range). Goal <= 1.3x.
import { envNumber, median, postJson, report, round, spread, startServerProcess } from "./lib/common.mjs";

// A round is two jobs of ~0.2 s: 15 of them keep the median steady on a noisy machine.
const ROUNDS = envNumber("ROUNDS", 15);
const N = envNumber("ITEMS", 1_000_000);
const rangeJob = JSON.stringify({ kind: "map", function: "square", input: { range: { start: 0, end: N } } });
const itemsJob = JSON.stringify({ kind: "map", function: "square", input: { items: Array.from({ length: N }, (_, i) => i) } });

const server = await startServerProcess();

async function run(body) {
  const t = performance.now();
  const res = await postJson(`${server.url}/v1/jobs`, body, { prefer: "wait=60" });
  const items = JSON.parse(res.text).result?.items;
  const ms = performance.now() - t;
  if (res.status !== 200 || items?.length !== N || items[N - 1] !== (N - 1) * (N - 1)) throw new Error(`job: ${res.status} ${res.text.slice(0, 300)}`);
  return ms;
}

try {
  await run(rangeJob); // warm workers and JIT on both paths
  await run(itemsJob);
  const ratios = [];
  const times = { items: [], range: [] };
  for (let i = 0; i < ROUNDS; i++) {
    const first = i % 2 === 0 ? "range" : "items";
    const a = await run(first === "range" ? rangeJob : itemsJob);
    const b = await run(first === "range" ? itemsJob : rangeJob);
    const [range, items] = first === "range" ? [a, b] : [b, a];
    times.range.push(range);
    times.items.push(items);
    ratios.push(items / range);
  }
  const ratio = round(median(ratios));
  report({
    name: `1M-item map job of listed items vs the same map over a range (square, Prefer wait, result parsed)`,
    ratio,
    goal: "<= 1.3x",
    pass: ratio <= 1.3,
    spread: spread(ratios),
    items_ms: Math.round(median(times.items)),
    range_ms: Math.round(median(times.range)),
    body_mb: round(Buffer.byteLength(itemsJob) / 1024 / 1024, 1),
  });
} finally {
  await server.stop();
}
