#!/usr/bin/env node
// The load generator of bench/echo-throughput.mjs, run in its own (pinned) process so its CPU
// does not count against the server: autocannon as a library, bounded by duration.
// argv[2] = JSON { url, body, connections, durationS }; prints one JSON line.
import autocannon from "autocannon";

const { url, body, connections, durationS } = JSON.parse(process.argv[2]);
const result = await autocannon({
  url,
  method: "POST",
  headers: { "content-type": "application/json" },
  body,
  connections,
  duration: durationS,
});
console.log(
  JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  }),
);
