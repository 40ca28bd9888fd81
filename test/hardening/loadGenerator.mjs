#!/usr/bin/env node
// Mixed-traffic load generator of test/hardening/load.test.ts and bench/soak.mjs, run in its own
// process so its CPU and event loop do not skew the caller's health prober. autocannon as a
// library: every connection cycles through the requests below. Each response is classified:
// the expected statuses of its request, or 503 with a Retry-After header; anything else is
// counted as unexpected (with a sample). Malformed JSON is sent by a side loop instead (the
// server answers it with `connection: close`, and autocannon mis-attributes the responses that
// follow a server-closed connection).
// argv[2] = JSON { url, connections, durationS, timeoutS? (default 15: jobs wait at most 5 s) };
// prints one JSON line.
import autocannon from "autocannon";

const { url, connections, durationS, timeoutS = 15 } = JSON.parse(process.argv[2]);

const json = { "content-type": "application/json" };
const items = Array.from({ length: 50 }, (_, i) => i);
/** name, request, expected statuses. */
const mix = [
  ["health", { method: "GET", path: "/v1/health" }, [200]],
  ["catalogue", { method: "GET", path: "/v1/functions" }, [200]],
  ["square call", { method: "POST", path: "/v1/functions/square/call", headers: json, body: JSON.stringify({ input: 12 }) }, [200]],
  ["map job wait", { method: "POST", path: "/v1/jobs", headers: { ...json, prefer: "wait=5" }, body: JSON.stringify({ kind: "map", function: "square", input: { items } }) }, [200, 202]],
  ["function", { method: "GET", path: "/v1/functions/square" }, [200]],
  ["invalid job", { method: "POST", path: "/v1/jobs", headers: json, body: JSON.stringify({ kind: "map", function: "square" }) }, [400]],
  ["wrong media type", { method: "POST", path: "/v1/functions/square/call", headers: { "content-type": "text/plain" }, body: "12" }, [415]],
  ["square call", { method: "POST", path: "/v1/functions/square/call", headers: json, body: JSON.stringify({ input: 7 }) }, [200]],
  ["unknown function", { method: "POST", path: "/v1/functions/noSuchFunction/call", headers: json, body: JSON.stringify({ input: 1 }) }, [404]],
  ["invalid input", { method: "POST", path: "/v1/functions/square/call", headers: json, body: JSON.stringify({ input: "x" }) }, [400]],
  ["fold job wait", { method: "POST", path: "/v1/jobs", headers: { ...json, prefer: "wait=5" }, body: JSON.stringify({ kind: "fold", function: "sum", input: { range: { start: 0, end: 1000 } } }) }, [200, 202]],
  ["unknown job", { method: "GET", path: "/v1/jobs/job_00000000000000000000000000000000" }, [404]],
  ["wrong method", { method: "DELETE", path: "/v1/functions" }, [405]],
];

const byRequest = {};
const unexpected = [];
let unexpectedCount = 0;
let retryAfterMissing = 0;
const requests = mix.map(([name, request, expected]) => ({
  ...request,
  onResponse: (status, body, _context, headers) => {
    const retryAfter = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === "retry-after")?.[1];
    tally(name, expected, status, body, retryAfter);
  },
}));

function tally(name, expected, status, body, retryAfter) {
  const key = `${name} ${status}`;
  byRequest[key] = (byRequest[key] ?? 0) + 1;
  if (expected.includes(status)) return;
  if (status === 503) {
    if (/^\d+$/.test(String(retryAfter ?? ""))) return;
    retryAfterMissing++;
  }
  unexpectedCount++;
  if (unexpected.length < 5) unexpected.push({ name, status, body: String(body ?? "").slice(0, 300) });
}

// Side loop: malformed JSON on fresh connections, a few per second, expecting 400 invalid_json.
let loadRunning = true;
let sideErrors = 0;
const sideErrorSamples = [];
const side = (async () => {
  while (loadRunning) {
    try {
      const res = await fetch(`${url}/v1/jobs`, { method: "POST", headers: json, body: '{"kind": "map", "function":', signal: AbortSignal.timeout(timeoutS * 1000) });
      const text = await res.text();
      tally("malformed json", [400], res.status === 400 && !text.includes('"invalid_json"') ? -1 : res.status, text, res.headers.get("retry-after"));
    } catch (error) {
      sideErrors++;
      if (sideErrorSamples.length < 3) sideErrorSamples.push(`${error.name}: ${error.message} ${error.cause?.code ?? ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
})();

const instance = autocannon({ url, connections, duration: durationS, timeout: timeoutS, requests });
const errorSamples = [];
instance.on("reqError", (error) => {
  if (errorSamples.length < 5) errorSamples.push(`${error.code ?? ""} ${error.message}`.trim());
});
const result = await instance;
loadRunning = false;
await side;
const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
console.log(
  JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    durationS: result.duration,
    errors: result.errors + sideErrors,
    /** Of `errors`: the malformed-JSON side loop's failed requests, with samples. */
    sideErrors,
    errorSamples: [...errorSamples, ...sideErrorSamples],
    timeouts: result.timeouts,
    resets: result.resets,
    mismatches: result.mismatches,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    statusCodes,
    byRequest,
    unexpectedCount,
    retryAfterMissing,
    unexpected,
  }),
);
