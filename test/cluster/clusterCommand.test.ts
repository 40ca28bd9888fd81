// `npm run cluster` (scripts/cluster.mjs, run here without its build step: the suite built already):
// Redis with AOF, two API nodes, two workers and HAProxy round-robin in front, all on loopback.
// The whole conformance suite passes through the load balancer, both API nodes answer part of it,
// an SSE stream goes through HAProxy unbuffered, and SIGINT (Ctrl-C) stops every process.
import { spawn, type ChildProcess } from "node:child_process";
import { createConnection } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";
import { expectConformance } from "../helpers/expectConformance.js";

const script = fileURLToPath(new URL("../../scripts/cluster.mjs", import.meta.url));
let child: ChildProcess;
let output = "";
let url = "";
let nodes: string[] = [];
let exited: Promise<number | null>;

beforeAll(async () => {
  child = spawn(process.execPath, [script], { env: { ...process.env, POLYBRIDGE_AUTH_TOKENS: "lb-a,lb-b" }, stdio: ["ignore", "pipe", "pipe"] });
  exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 90_000;
  while (!/polybridge cluster on (\S+)/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the cluster did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  url = (output.match(/polybridge cluster on (\S+)/) as RegExpMatchArray)[1] as string;
  nodes = [...output.matchAll(/API node \d+ on (\S+)/g)].map((m) => m[1] as string);
}, 120_000);

afterAll(async () => {
  // SIGTERM, so the script stops its own children (a SIGKILLed script would leave them running).
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    await exited;
  }
});

/** Whether something accepts connections on a loopback port. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

/** Requests a node answered, from its own /metrics (bypassing the load balancer). */
async function answered(node: string): Promise<number> {
  const text = await (await fetch(`${node}/metrics`, { headers: { authorization: "Bearer lb-a" } })).text();
  return [...text.matchAll(/^polybridge_http_request_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

describe("npm run cluster", () => {
  it("passes the conformance suite through HAProxy, both API nodes serving", async () => {
    expect(nodes).toHaveLength(2);
    await expectConformance(url, 150, { token: "lb-a", otherToken: "lb-b" });
    const counts = await Promise.all(nodes.map(answered));
    for (const count of counts) expect(count).toBeGreaterThan(50);
  }, 300_000);

  it("streams a job's events through the load balancer as they happen", async () => {
    const api = contractClient(url);
    const auth = { authorization: "Bearer lb-a" };
    const job = await api.post("/v1/jobs", { kind: "fold", function: "countPrimes", input: { range: { start: 0, end: 3_000_000 } }, options: { chunkSize: 250_000, concurrency: 2 } }, auth);
    const res = await fetch(`${url}/v1/jobs/${job.body.id}/events`, { headers: auth });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push(Date.now());
      text += Buffer.from(value).toString();
    }
    expect(text).toMatch(/event: result\ndata: \{"kind":"fold","value":216816\}/);
    // Unbuffered: the events came in several pieces over the job's run, not in one at its end.
    expect(arrivals.length).toBeGreaterThan(2);
  }, 120_000);

  it("stops everything on SIGINT", async () => {
    const ports = [url, ...nodes].map((u) => Number(new URL(u).port));
    const redisPort = Number((output.match(/Redis on redis:\/\/127\.0\.0\.1:(\d+)/) as RegExpMatchArray)[1]);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output).toMatch(/cluster: stopped/);
    for (const port of [...ports, redisPort]) expect(await listening(port), `port ${port}`).toBe(false);
  }, 60_000);
});
