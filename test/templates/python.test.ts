import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runConformance } from "@polybridge/conformance";
import { createResponseValidator } from "@polybridge/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The Python template as a user gets it: copied out of the repo, run with the standard library only.
const templateDir = fileURLToPath(new URL("../../server-template/python", import.meta.url));
// `python3` on PATH and Debian's /usr/bin/python3 may differ; the template must work with both.
const interpreters = [...new Set(["python3", ...(existsSync("/usr/bin/python3") ? ["/usr/bin/python3"] : [])])];

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

describe("server-template/python", () => {
  let workDir = "";

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), "polybridge-python-"));
    cpSync(templateDir, workDir, { recursive: true, filter: (source) => !source.includes("__pycache__") });
  });

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it.each(interpreters)("passes its own unit tests with %s", async (python) => {
    const result = await run(python, ["-m", "unittest"], workDir, 120_000);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Ran \d+ tests/);
  }, 130_000);

  describe("the running server", () => {
    let server: ChildProcess | undefined;
    let url = "";
    const stderr: string[] = [];

    beforeAll(async () => {
      server = spawn("python3", ["server.py", "--port", "0"], {
        cwd: workDir,
        env: { ...process.env, HOST: "127.0.0.1", POLYBRIDGE_HEARTBEAT_MS: "500" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      server.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
      url = await listeningUrl(server, 30_000, stderr);
    }, 40_000);

    afterAll(() => {
      if (server && server.exitCode === null) server.kill("SIGKILL");
    });

    it("answers per the contract", async () => {
      const check = createResponseValidator();
      const exchanges: Array<[string, string, unknown?, Record<string, string>?]> = [
        ["GET", "/v1/health"],
        ["GET", "/v1/functions"],
        ["GET", "/v1/functions/sum"],
        ["GET", "/v1/functions/missing"],
        ["POST", "/v1/functions/square/call", { input: 12 }],
        ["POST", "/v1/functions/fail/call", { input: "boom" }],
        ["POST", "/v1/jobs", { kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a b a", "b c"] } }, { prefer: "wait=10" }],
        ["POST", "/v1/jobs", { kind: "map", function: "square", input: { items: [1] }, options: { chunkSize: 0 } }],
        ["GET", "/v1/jobs?limit=1"],
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
      const wordCount = await fetch(`${url}/v1/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json", prefer: "wait=10" },
        body: JSON.stringify({ kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a b a", "b c"] } }),
      });
      expect(await wordCount.json()).toMatchObject({ status: "successful", result: { kind: "mapreduce", entries: [["a", 2], ["b", 2], ["c", 1]] } });
    });

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
      const signalledAt = Date.now();
      server!.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 300));

      const refused = await post({ kind: "map", function: "square", input: { items: [1] } });
      const problem: unknown = await refused.json();
      expect(refused.status).toBe(503);
      expect(problem).toMatchObject({ code: "shutting_down", status: 503 });
      const check = createResponseValidator();
      expect(check({ method: "POST", path: "/v1/jobs", status: 503, contentType: refused.headers.get("content-type"), body: problem }).errors).toEqual([]);
      const health = (await (await fetch(`${url}/v1/health`)).json()) as { status: string };
      expect(health.status).toBe("draining");
      const current = (await (await fetch(`${url}/v1/jobs/${job.id}`)).json()) as { status: string };
      expect(current.status).toBe("running");

      expect(await exited(server!, 20_000), stderr.join("")).toBe(0);
      expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1_000); // it waited for the job
    }, 30_000);
  });
});
