// End to end: `polybridge new --lang ts` makes a project that installs from the local server
// package, builds, passes its own tests and the conformance suite, serves its example function
// (inline and on a worker), and exits 0 on SIGTERM.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "@polybridge/conformance";
import { createProject } from "@polybridge/codegen";

const run = promisify(execFile);

/** A started project server: its URL, and a SIGTERM stop that resolves with the exit code. */
interface Started {
  url: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

function startProject(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const child = spawn(process.execPath, ["dist/main.js", ...args], {
    cwd: dir,
    env: { ...process.env, POLYBRIDGE_HEARTBEAT_MS: "500", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`no 'polybridge listening' line within 20 s; stderr: ${err}`));
    }, 20_000);
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^polybridge listening on (http:\/\/\S+)$/m.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], child, stop });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening; stderr: ${err}`));
    });
  });
}

async function call(url: string, name: string, input: unknown): Promise<{ status: number; body: { output?: unknown } }> {
  const res = await fetch(`${url}/v1/functions/${name}/call`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input }),
  });
  return { status: res.status, body: (await res.json()) as { output?: unknown } };
}

let tmp: string;
let dir: string;
let server: Started | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "pb-ts-template-"));
  dir = join(tmp, "e2e-compute");
  // Default server dependency: file: this checkout's server/ (npm links it; nothing from the registry).
  await createProject({ dir, lang: "ts" });
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, timeout: 120_000 });
}, 150_000);

afterAll(async () => {
  await server?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe("TypeScript template", () => {
  it("builds and passes its own tests", async () => {
    const { stdout } = await run("npm", ["test"], { cwd: dir, timeout: 90_000 });
    expect(stdout).toMatch(/^# pass [1-9]\d*$/m);
    expect(stdout).toMatch(/^# fail 0$/m);
  }, 100_000);

  it("starts on an ephemeral port and serves cube inline and on a worker", async () => {
    server = await startProject(dir, ["--port", "0"]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await call(server.url, "cube", 3)).toMatchObject({ status: 200, body: { output: 27 } });
    expect((await call(server.url, "cube", "3")).status).toBe(400);
    // A job runs on the worker pool, which imports the project's functions module itself.
    const res = await fetch(`${server.url}/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", prefer: "wait=10" },
      body: JSON.stringify({ kind: "map", function: "cube", input: { items: [1, 2, 3] } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "successful", result: { items: [1, 8, 27] } });
  }, 30_000);

  it("passes the conformance suite", async () => {
    if (!server) throw new Error("server not started");
    const report = await runConformance({ url: server.url, log: () => {} });
    expect(report.unexpected).toEqual([]);
    expect(report.passed).toBeGreaterThan(50);
  }, 60_000);

  it("finishes on SIGTERM with exit code 0", async () => {
    if (!server) throw new Error("server not started");
    expect(await server.stop()).toBe(0);
    server = undefined;
  }, 20_000);

  it("takes its port from PORT, and refuses a bad one", async () => {
    const started = await startProject(dir, [], { PORT: "0", HOST: "127.0.0.1" });
    try {
      expect((await fetch(`${started.url}/v1/health`)).status).toBe(200);
    } finally {
      expect(await started.stop()).toBe(0);
    }
    await expect(startProject(dir, [], { PORT: "eighty" })).rejects.toThrow(/exited \(2\).*port must be an integer/s);
  }, 30_000);
});
