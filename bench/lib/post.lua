-- wrk script of bench/echo-throughput.mjs: POST the JSON body from $BENCH_BODY, then print one
-- JSON line with the totals (read by the benchmark).
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"total":%d,"durationUs":%d,"non2xx":%d,"errors":%d,"timeouts":%d,"latencyP50Ms":%.3f,"latencyP99Ms":%.3f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
