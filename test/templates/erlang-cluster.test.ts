// The Erlang template as the seed meant it: several Erlang nodes computing one job. Three nodes of
// a project made by createProject start on loopback with their own epmd (its own port, stopped
// afterwards) and a shared cookie; two join the first with `bin/start --join`. A job submitted to
// the first node runs its chunks on all three (the Job's `cluster.chunksByNode` says where), and
// a node killed mid-job has its chunks re-run on the others, with the exact result.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { createProject } from "@polybridge/codegen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutTemplates } from "../helpers/templates.js";
import { freePort } from "../helpers/freePort.js";
import { runCommand, startServerProcess, type ServerProcess } from "../helpers/serverProcess.js";

const ensureErlang = fileURLToPath(new URL("../../scripts/ensure-erlang.sh", import.meta.url));

interface Job {
  id: string;
  status: string;
  result?: { kind: string; items?: unknown[]; value?: unknown };
  cluster?: { chunksByNode: Record<string, number>; rerunChunks: number };
  progress: { completedChunks: number; totalChunks: number };
}


async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

let tmp = "";
let dir = "";
let epmd: ChildProcess | undefined;
let startNode: (args: string[]) => Promise<ServerProcess>;
const nodes: ServerProcess[] = [];
// Unique per run: several checkouts may run this test at once, each with its own epmd.
const suffix = randomUUID().slice(0, 8);
const name = (letter: string): string => `pb${letter}_${suffix}@127.0.0.1`;

beforeAll(async () => {
  const ensured = await runCommand("bash", [ensureErlang], { cwd: process.cwd(), timeoutMs: 600_000 });
  expect(ensured.code, ensured.output).toBe(0);
  tmp = await mkdtemp(join(tmpdir(), "polybridge-erlang-cluster-"));
  dir = join(tmp, "mapreduce-node");
  await createProject({ dir, lang: "erlang", name: "mr_node", port: 9138, templatesDir: checkoutTemplates });
  const build = await runCommand("make", [], { cwd: dir, timeoutMs: 120_000 });
  expect(build.code, build.output).toBe(0);

  const epmdPort = await freePort();
  epmd = spawn("epmd", ["-port", String(epmdPort), "-address", "127.0.0.1"], { stdio: "ignore" });
  await sleep(300);
  const env = {
    ...process.env,
    ERL_EPMD_PORT: String(epmdPort),
    // Distribution listens on loopback only.
    ERL_FLAGS: "-kernel inet_dist_use_interface {127,0,0,1}",
    // Erlang writes ~/.erlang.cookie when it has none: keep that in the temporary folder.
    HOME: tmp,
  };
  const cookie = `cookie-${randomUUID()}`;
  const start = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<ServerProcess> =>
    startServerProcess("bin/start", ["--port", "0", ...args], { cwd: dir, timeoutMs: 60_000, env: { ...env, ...extra } });
  startNode = start;
  // The first node reads its name and cookie from the environment, the others from flags.
  nodes.push(await start([], { POLYBRIDGE_ERLANG_NAME: name("a"), POLYBRIDGE_ERLANG_COOKIE: cookie }));
  nodes.push(
    ...(await Promise.all(
      ["b", "c"].map((letter) => start(["--name", name(letter), "--cookie", cookie, "--join", name("a")])),
    )),
  );
}, 800_000);

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop().catch(() => null)));
  epmd?.kill("SIGTERM");
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("server-template/erlang on three Erlang nodes", () => {
  it("forms one cluster: every node's health lists all three", async () => {
    const all = [name("a"), name("b"), name("c")].sort();
    for (const node of nodes) {
      const listed = await waitFor(
        "the cluster to form",
        async () => {
          const health = await getJson<{ nodes: string[] }>(`${node.url}/v1/health`);
          return health.nodes.length === 3 ? health.nodes : undefined;
        },
        20_000,
      );
      expect([...listed].sort()).toEqual(all);
    }
  }, 70_000);

  it("spreads a job's chunks over the nodes, with the exact result", async () => {
    const res = await fetch(`${nodes[0]!.url}/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", prefer: "wait=30" },
      body: JSON.stringify({ kind: "fold", function: "sum", input: { range: { start: 1, end: 100_001 } }, options: { chunkSize: 1000 } }),
    });
    expect(res.status).toBe(200);
    const job = (await res.json()) as Job & { options: { concurrency: number } };
    // By default every node computes `workers` chunks at a time.
    const { workers } = await getJson<{ workers: number }>(`${nodes[0]!.url}/v1/health`);
    expect(job.options.concurrency).toBe(workers * 3);
    expect(job.status).toBe("successful");
    expect(job.result).toEqual({ kind: "fold", value: 5_000_050_000 });
    const byNode = job.cluster!.chunksByNode;
    expect(Object.keys(byNode).sort()).toEqual([name("a"), name("b"), name("c")].sort());
    expect(Object.values(byNode).reduce((a, b) => a + b, 0)).toBe(100);
    expect(job.cluster!.rerunChunks).toBe(0);
  }, 40_000);

  it("re-runs a killed node's chunks on the others: the result stays exact", async () => {
    const [a, , c] = nodes;
    // 60 chunks of 200 ms, six at a time over three nodes (two each): about two seconds of work,
    // so node c still has chunks in flight when it is killed, even on a busy machine.
    const items = Array.from({ length: 60 }, (_, k) => 200 + k);
    const res = await fetch(`${a!.url}/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "map", function: "sleep", input: { items }, options: { chunkSize: 1, concurrency: 6 } }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as Job;
    // Once node c has finished a chunk it has more in flight: kill its VM outright.
    await waitFor(
      "a chunk done on node c",
      async () => {
        const job = await getJson<Job>(`${a!.url}/v1/jobs/${id}`);
        const started = (job.cluster?.chunksByNode[name("c")] ?? 0) > 0;
        // Killed late in the job, c might have nothing left in flight: then the test proves nothing.
        expect(job.progress.completedChunks, "node c was too slow to show a chunk").toBeLessThan(40);
        return started ? job : undefined;
      },
      20_000,
    );
    c!.child.kill("SIGKILL");
    const done = await waitFor(
      "the job to finish",
      async () => {
        const job = await getJson<Job>(`${a!.url}/v1/jobs/${id}`);
        return job.status === "accepted" || job.status === "running" ? undefined : job;
      },
      30_000,
    );
    expect(done.status).toBe("successful");
    expect(await getJson(`${a!.url}/v1/jobs/${id}/result`)).toEqual({ kind: "map", items });
    expect(done.cluster!.rerunChunks).toBeGreaterThan(0);
    const byNode = done.cluster!.chunksByNode;
    expect(Object.values(byNode).reduce((x, y) => x + y, 0)).toBe(60);
    expect(byNode[name("a")]).toBeGreaterThan(0);
    expect(byNode[name("b")]).toBeGreaterThan(0);
    // The survivors see the node gone.
    const health = await getJson<{ nodes: string[] }>(`${a!.url}/v1/health`);
    expect(health.nodes.sort()).toEqual([name("a"), name("b")].sort());
  }, 60_000);

  it("keeps out a node with another cookie", async () => {
    const intruder = await startNode(["--name", name("d"), "--cookie", "not-the-cookie", "--join", name("a")]);
    nodes.push(intruder);
    // A few of its join attempts (one a second) fail.
    await sleep(3000);
    expect((await getJson<{ nodes: string[] }>(`${intruder.url}/v1/health`)).nodes).toEqual([name("d")]);
    expect((await getJson<{ nodes: string[] }>(`${nodes[0]!.url}/v1/health`)).nodes).not.toContain(name("d"));
  }, 70_000);
});
