// End to end: `polybridge new --lang ts` makes a project that installs from the local server
// package, builds, passes its own tests and the conformance suite, serves its example function
// (inline and on a worker), passes the suite in token mode when started with tokens, and exits 0 on SIGTERM.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject } from "@polybridge/codegen";
import { checkoutServerDep, checkoutTemplates } from "../helpers/templates.js";
import { expectConformance } from "../helpers/expectConformance.js";
import { runCommand, startServerProcess, type ServerProcess } from "../helpers/serverProcess.js";

const startProject = (dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> =>
  startServerProcess(process.execPath, ["dist/main.js", ...args], { cwd: dir, env, timeoutMs: 20_000 });

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
let server: ServerProcess | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "pb-ts-template-"));
  dir = join(tmp, "e2e-compute");
  // Default server dependency: file: this checkout's server/ (npm links it; nothing from the registry).
  await createProject({ dir, lang: "ts", templatesDir: checkoutTemplates, serverDep: checkoutServerDep });
  const installed = await runCommand("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, timeoutMs: 120_000 });
  expect(installed.code, installed.output).toBe(0);
}, 150_000);

afterAll(async () => {
  await server?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe("TypeScript template", () => {
  it("builds and passes its own tests", async () => {
    const tested = await runCommand("npm", ["test"], { cwd: dir, timeoutMs: 90_000 });
    expect(tested.code, tested.output).toBe(0);
    expect(tested.stdout).toMatch(/^# pass [1-9]\d*$/m);
    expect(tested.stdout).toMatch(/^# fail 0$/m);
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
    await expectConformance(server.url);
  }, 60_000);

  it("with POLYBRIDGE_AUTH_TOKENS, passes the suite in token mode: every request with t1, auth and tenant cases (t2)", async () => {
    const secured = await startProject(dir, ["--port", "0"], { POLYBRIDGE_AUTH_TOKENS: "t1,t2" });
    try {
      expect((await fetch(`${secured.url}/v1/jobs`)).status).toBe(401);
      await expectConformance(secured.url, 50, { token: "t1", otherToken: "t2" });
    } finally {
      expect(await secured.stop()).toBe(0);
    }
  }, 90_000);

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
