import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runConformance } from "@polybridge/conformance";
import { createResponseValidator } from "@polybridge/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The Erlang/MochiWeb template as a user gets it: copied out of the repo, built with make + erlc.
const templateDir = fileURLToPath(new URL("../../server-template/erlang", import.meta.url));
const ensureErlang = fileURLToPath(new URL("../../scripts/ensure-erlang.sh", import.meta.url));
// Build output of a developer's checkout is not part of the template.
const buildOutput = new Set(["ebin", "test_ebin", "erl_crash.dump"]);

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a command to completion (killing it after `timeoutMs`), collecting stdout and stderr. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** Resolves with the URL from the `polybridge listening on …` line, or rejects after `timeoutMs`. */
function listeningUrl(child: ChildProcess, timeoutMs: number, stderr: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`no listening line within ${timeoutMs} ms:\n${stderr.join("")}`)), timeoutMs);
    lines.on("line", (line) => {
      const match = /^polybridge listening on (http:\/\/\S+)$/.exec(line.trim());
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${stderr.join("")}`));
    });
  });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server still running ${timeoutMs} ms after SIGTERM`)), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Reads an event stream until the server closes it (or `timeoutMs` passes). */
async function readStream(url: string, timeoutMs: number): Promise<{ status: number; contentType: string | null; text: string }> {
  const res = await fetch(url, { headers: { accept: "text/event-stream" }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, contentType: res.headers.get("content-type"), text: await res.text() };
}

describe("server-template/erlang", () => {
  let workDir = "";

  beforeAll(async () => {
    // On a fresh machine this installs OTP, MochiWeb and jiffy from Debian; otherwise a no-op.
    const ensured = await run("bash", [ensureErlang], process.cwd(), 600_000);
    expect(ensured.code, ensured.output).toBe(0);
    workDir = mkdtempSync(join(tmpdir(), "polybridge-erlang-"));
    cpSync(templateDir, workDir, { recursive: true, filter: (source) => !buildOutput.has(basename(source)) });
  }, 620_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("builds with make", async () => {
    const result = await run("make", [], workDir, 120_000);
    expect(result.code, result.output).toBe(0);
  }, 130_000);

  it("passes its EUnit tests", async () => {
    const result = await run("make", ["test"], workDir, 120_000);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/All \d+ tests passed\./);
  }, 130_000);

  describe("the running server", () => {
    let server: ChildProcess | undefined;
    let url = "";
    const stderr: string[] = [];

    beforeAll(async () => {
      server = spawn("bin/start", ["--port", "0"], {
        cwd: workDir,
        env: { ...process.env, HOST: "127.0.0.1", POLYBRIDGE_HEARTBEAT_MS: "500" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      server.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
      url = await listeningUrl(server, 60_000, stderr);
    }, 70_000);

    afterAll(() => {
      if (server && server.exitCode === null) server.kill("SIGKILL");
    });

    it("answers per the contract", async () => {
      const check = createResponseValidator();
      const exchanges: Array<[string, string, unknown?, Record<string, string>?]> = [
        ["GET", "/v1/health"],
        ["GET", "/v1/functions"],
        ["GET", "/v1/functions/tokenize"],
        ["GET", "/v1/functions/missing"],
        ["POST", "/v1/functions/square/call", { input: 12 }],
        ["POST", "/v1/functions/fail/call", { input: "boom" }],
        ["POST", "/v1/functions/sleep/call", { input: 1000, timeoutMs: 20 }],
        ["POST", "/v1/jobs", { kind: "fold", function: "sum", input: { range: { start: 1, end: 101 } } }, { prefer: "wait=10" }],
        ["POST", "/v1/jobs", { kind: "map", function: "fail", input: { items: [1, -1] } }, { prefer: "wait=10" }],
        ["POST", "/v1/jobs", { kind: "map", function: "square", input: { items: [1] }, options: { chunkSize: 0 } }],
        ["POST", "/v1/jobs", { kind: "fold", function: "square", input: { items: [1] } }],
        ["GET", "/v1/jobs?limit=1"],
        ["GET", "/v1/jobs/job_missing"],
      ];
      for (const [method, path, json, headers] of exchanges) {
        const res = await fetch(url + path, {
          method,
          headers: { ...(json === undefined ? {} : { "content-type": "application/json" }), ...headers },
          ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        });
        const contentType = res.headers.get("content-type");
        const body: unknown = await res.json();
        const verdict = check({ method, path, status: res.status, contentType, body });
        expect(verdict.errors, `${method} ${path} → ${res.status}: ${JSON.stringify(body)}`).toEqual([]);
      }
      // Big integers survive the round trip exactly (Erlang integers are unbounded).
      const big = await fetch(`${url}/v1/functions/echo/call`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"input":123456789012345678901234567890}',
      });
      expect(await big.text()).toContain('"output":123456789012345678901234567890');
    });

    it("streams a job's events and closes after the terminal status", async () => {
      const submitted = await fetch(`${url}/v1/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        // 1.2 s without events: the 500 ms heartbeat must fill the silence.
        body: JSON.stringify({ kind: "map", function: "sleep", input: { items: [1200] } }),
      });
      const { id } = (await submitted.json()) as { id: string };
      const stream = await readStream(`${url}/v1/jobs/${id}/events`, 20_000);
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      expect(stream.text).toMatch(/^id: 1\nevent: status\ndata: \{.*\}\n\n/);
      expect(stream.text).toContain(": heartbeat");
      expect(stream.text).toMatch(/event: result\ndata: \{"kind":"map","items":\[1200\]\}\n\n/);
      expect(stream.text.trimEnd()).toMatch(/event: status\ndata: \{.*"status":"successful".*\}$/);
    }, 30_000);

    it("passes the conformance suite", async () => {
      const lines: string[] = [];
      const report = await runConformance({ url, log: (line) => lines.push(line) });
      expect(report.unexpected, lines.filter((l) => !l.startsWith("PASS")).join("\n")).toEqual([]);
      expect(report.passed).toBeGreaterThan(0);
    }, 300_000);

    it("drains on SIGTERM: refuses new jobs, finishes running ones, exits 0", async () => {
      expect(server?.exitCode, stderr.join("")).toBeNull();
      const post = (body: unknown) =>
        fetch(`${url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const running = await post({ kind: "map", function: "sleep", input: { items: [1500] } });
      expect(running.status).toBe(202);
      const job = (await running.json()) as { id: string };
      // Follow the job from before the signal: its terminal event must still arrive.
      const events = readStream(`${url}/v1/jobs/${job.id}/events`, 20_000);
      const signalledAt = Date.now();
      server!.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 300));

      const refused = await post({ kind: "map", function: "square", input: { items: [1] } });
      const problem: unknown = await refused.json();
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(problem).toMatchObject({ code: "shutting_down", status: 503 });
      const check = createResponseValidator();
      expect(check({ method: "POST", path: "/v1/jobs", status: 503, contentType: refused.headers.get("content-type"), body: problem }).errors).toEqual([]);
      const health = (await (await fetch(`${url}/v1/health`)).json()) as { status: string };
      expect(health.status).toBe("draining");

      expect((await events).text.trimEnd()).toMatch(/"status":"successful".*\}$/);
      expect(await exited(server!, 20_000), stderr.join("")).toBe(0);
      expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1_000); // it waited for the job
    }, 30_000);
  });
});
