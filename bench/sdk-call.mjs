// SDK overhead: 20,000 sequential `client.call("echo", …)` vs 20,000 raw undici `request()` calls
// (same JSON body, same decoding) to one reference server in a child process, several rounds each,
// alternating; prints the median ratio against the goal (≤ 1.10×). Run after `npm run build`:
//   node bench/sdk-call.mjs [--calls 20000] [--rounds 5]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { createClient } from "@polybridge/sdk";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg("calls", 20_000);
const ROUNDS = arg("rounds", 5);
const GOAL = 1.1;
const input = { id: 7, text: "hello", tags: ["a", "b"] };

// The server runs in its own process so its work does not share this event loop.
const cli = fileURLToPath(new URL("../cli/dist/cli.js", import.meta.url));
const child = spawn(process.execPath, [cli, "serve", "--port", "0", "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "inherit"] });
const server = await new Promise((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match) resolve({ url: match[1] });
  });
  child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  setTimeout(() => reject(new Error("server did not start within 20 s")), 20_000).unref();
});
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
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  return body.output;
}
const sdkCall = () => client.call("echo", input);

async function time(fn, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  // Warm up both paths (JIT, sockets, the server's routes).
  await time(rawCall, 2_000);
  await time(sdkCall, 2_000);
  const raw = [];
  const sdk = [];
  for (let round = 1; round <= ROUNDS; round++) {
    raw.push(await time(rawCall, CALLS));
    sdk.push(await time(sdkCall, CALLS));
    console.log(`round ${round}: raw ${raw.at(-1).toFixed(0)} ms, sdk ${sdk.at(-1).toFixed(0)} ms`);
  }
  const ratio = median(sdk) / median(raw);
  console.log(`raw undici request(): median ${median(raw).toFixed(0)} ms for ${CALLS} calls (${((median(raw) * 1000) / CALLS).toFixed(1)} µs/call)`);
  console.log(`sdk client.call():    median ${median(sdk).toFixed(0)} ms for ${CALLS} calls (${((median(sdk) * 1000) / CALLS).toFixed(1)} µs/call)`);
  console.log(`ratio sdk/raw: ${ratio.toFixed(3)}× (goal ≤ ${GOAL.toFixed(2)}×) ${ratio <= GOAL ? "OK" : "OVER GOAL"}`);
  const perRound = sdk.map((t, i) => t / raw[i]);
  console.log(JSON.stringify({
    name: `SDK client.call vs raw undici request(), ${CALLS} sequential calls (sdk/raw time)`,
    ratio: Number(ratio.toFixed(2)),
    goal: `<= ${GOAL.toFixed(2)}x`,
    pass: ratio <= GOAL,
    spread: `${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}`,
    raw_us_per_call: Number(((median(raw) * 1000) / CALLS).toFixed(1)),
    sdk_us_per_call: Number(((median(sdk) * 1000) / CALLS).toFixed(1)),
  }));
} finally {
  await client.close();
  await pool.close();
  child.kill("SIGTERM");
  await once(child, "exit");
}
