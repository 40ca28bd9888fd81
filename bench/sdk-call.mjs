#!/usr/bin/env node
// Benchmark 2, SDK overhead: N sequential `client.call("echo", …)` vs N raw undici `request()`
// calls (same JSON body, same decoding) to one reference server in a child process. Rounds
// alternate which path goes first; every call's answer is checked (status and output), so a path
// that fails or answers something else cannot look fast.
// ratio = median over rounds of (sdk time ÷ raw time) of the same round. Goal <= 1.10.
// Many short rounds: the two timings of a round are taken a second apart, so drift on a shared
// machine hardly enters a ratio (rounds of 20,000 calls ranged 0.64–1.49).
//   node bench/sdk-call.mjs [--calls 2000] [--rounds 31]     (or CALLS=, ROUNDS=)
import { isDeepStrictEqual } from "node:util";
import { Pool } from "undici";
import { createClient } from "@polybridge/sdk";
import { envNumber, median, report, round, spread, startServerProcess } from "./lib/common.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg("calls", envNumber("CALLS", 2_000));
const ROUNDS = arg("rounds", envNumber("ROUNDS", 31));
const GOAL = 1.1;
const input = { id: 7, text: "hello", tags: ["a", "b"] };

// The server runs in its own process so its work does not share this event loop.
const server = await startServerProcess();
const client = createClient({ baseUrl: server.url });
const pool = new Pool(server.url, { connections: 16, keepAliveTimeout: 30_000 });

async function rawCall() {
  const res = await pool.request({
    method: "POST",
    path: "/v1/functions/echo/call",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ input }),
  });
  const body = await res.body.json();
  if (res.statusCode !== 200) throw new Error(`raw: HTTP ${res.statusCode}`);
  return body.output;
}
const sdkCall = () => client.call("echo", input);

/** Time of n sequential calls; every output is checked (a cheap field per call, all of it on the first and last). */
async function time(name, fn, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const out = await fn();
    if (out?.id !== 7 || ((i === 0 || i === n - 1) && !isDeepStrictEqual(out, input))) throw new Error(`${name}: wrong output ${JSON.stringify(out)}`);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

try {
  // Warm up both paths (JIT, sockets, the server's routes).
  await time("raw", rawCall, 2_000);
  await time("sdk", sdkCall, 2_000);
  const raw = [];
  const sdk = [];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which path goes first so drift on a shared machine hits both alike.
    const rawFirst = r % 2 === 0;
    const a = rawFirst ? await time("raw", rawCall, CALLS) : await time("sdk", sdkCall, CALLS);
    const b = rawFirst ? await time("sdk", sdkCall, CALLS) : await time("raw", rawCall, CALLS);
    const [tRaw, tSdk] = rawFirst ? [a, b] : [b, a];
    raw.push(tRaw);
    sdk.push(tSdk);
    ratios.push(tSdk / tRaw);
    console.error(`round ${r + 1} (${rawFirst ? "raw" : "sdk"} first): raw ${tRaw.toFixed(0)} ms, sdk ${tSdk.toFixed(0)} ms, ratio ${(tSdk / tRaw).toFixed(3)}`);
  }
  const ratio = round(median(ratios));
  report({
    name: `SDK client.call vs raw undici request(), ${CALLS} sequential calls (sdk/raw time)`,
    ratio,
    goal: `<= ${GOAL.toFixed(2)}x`,
    pass: ratio <= GOAL,
    spread: spread(ratios),
    raw_us_per_call: round((median(raw) * 1000) / CALLS, 1),
    sdk_us_per_call: round((median(sdk) * 1000) / CALLS, 1),
  });
} finally {
  await client.close();
  await pool.close();
  await server.stop();
}
