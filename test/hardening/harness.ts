// Shared pieces of the hardening suites: the real server process with the fault fixtures, HTTP
// calls that are bounded and contract-checked, the "still alive and answering" check, peak RSS,
// and a cross-process lock so the two hardening files never load the 2 cores at the same time
// (a load test next to a latency assertion would make both meaningless).
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createResponseValidator } from "@polybridge/spec";
import { expect } from "vitest";
import { startServerProcess, type ServerProcess } from "../helpers/serverProcess.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = fileURLToPath(new URL("../../cli/bin/polybridge.js", import.meta.url));
export const FAULT_FUNCTIONS = fileURLToPath(new URL("../fixtures/faultFunctions.mjs", import.meta.url));

/** After a fault, `/v1/health` must answer within this (generous for a loaded 2-core machine). */
export const HEALTH_QUICK_MS = 500;

/** Options of {@link startFaultServer}. */
export interface FaultServerOptions {
  /** Extra `serve` flags, e.g. `["--workers", "1"]`. */
  args?: string[];
  /** Node flags before the CLI, e.g. `["--max-old-space-size=64"]`. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Load test/fixtures/faultFunctions.mjs (default true). */
  faults?: boolean;
}

/** `node [nodeArgs] cli/bin/polybridge.js serve --port 0 --functions faultFunctions.mjs [args]`. */
export function startFaultServer(options: FaultServerOptions = {}): Promise<ServerProcess> {
  const functions = options.faults === false ? [] : ["--functions", FAULT_FUNCTIONS];
  return startServerProcess(process.execPath, [...(options.nodeArgs ?? []), CLI, "serve", "--port", "0", ...functions, ...(options.args ?? [])], {
    cwd: ROOT,
    timeoutMs: 30_000,
    ...(options.env ? { env: options.env } : {}),
  });
}

/** True while the child has neither exited nor been killed. */
export const isAlive = (server: ServerProcess): boolean => server.child.exitCode === null && server.child.signalCode === null;

/** The last `chars` characters of the server's output (the stack trace of a crash). */
export const tail = (server: ServerProcess, chars = 3_000): string => server.output().slice(-chars);

/** A response as the hardening tests see it. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  ms: number;
}

const check = createResponseValidator();

/**
 * One bounded HTTP call, its response checked against spec/openapi.yaml. A network error (the
 * server died mid-request) becomes an Error carrying the process's state and output.
 */
export async function call(
  server: ServerProcess,
  method: string,
  path: string,
  init: { json?: unknown; body?: string; headers?: Record<string, string>; timeoutMs?: number; validate?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers["content-type"] ??= "application/json";
  }
  const started = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(server.url + path, { method, headers, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000), ...(body === undefined ? {} : { body }) });
    text = await res.text();
  } catch (error) {
    // Give a crashing server a moment to be seen as exited.
    await new Promise((r) => setTimeout(r, 200));
    throw new Error(
      `${method} ${path}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}; server ${isAlive(server) ? "still running" : `exited (code ${server.child.exitCode}, signal ${server.child.signalCode})`}; output:\n${tail(server)}`,
    );
  }
  const ms = performance.now() - started;
  const type = res.headers.get("content-type") ?? "";
  const parsed: unknown = type.includes("json") && text ? JSON.parse(text) : text;
  if (init.validate !== false) {
    const verdict = check({ method, path, status: res.status, contentType: type, body: parsed });
    expect(verdict.errors, `${method} ${path} → ${res.status} breaks the contract: ${text.slice(0, 500)}`).toEqual([]);
  }
  return { status: res.status, headers: res.headers, body: parsed, ms };
}

/** POST /v1/jobs with `Prefer: wait=N`. */
export const submit = (server: ServerProcess, job: unknown, waitSeconds?: number, timeoutMs = 70_000): Promise<Answer> =>
  call(server, "POST", "/v1/jobs", { json: job, ...(waitSeconds === undefined ? {} : { headers: { prefer: `wait=${waitSeconds}` } }), timeoutMs });

/** Polls a job until it is terminal (bounded). */
export async function settle(server: ServerProcess, id: string, timeoutMs = 30_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await call(server, "GET", `/v1/jobs/${id}`);
    if (["successful", "failed", "dismissed"].includes(reply.body.status)) return reply;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${reply.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls until the job is `running` (bounded). */
export async function untilRunning(server: ServerProcess, id: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call(server, "GET", `/v1/jobs/${id}`);
    if (body.status === "running") return;
    if (body.status !== "accepted") throw new Error(`job ${id} is ${body.status}, expected it running: ${JSON.stringify(body.error ?? {})}`);
    if (Date.now() > deadline) throw new Error(`job ${id} not running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The process is still running and `/v1/health` answers `ok` within {@link HEALTH_QUICK_MS}. */
export async function expectAliveAndHealthy(server: ServerProcess): Promise<void> {
  expect(isAlive(server), `the server process died:\n${tail(server)}`).toBe(true);
  const health = await call(server, "GET", "/v1/health", { timeoutMs: 5_000 });
  expect(health.status).toBe(200);
  expect(health.body.status).toBe("ok");
  expect(health.ms, `health took ${health.ms.toFixed(0)} ms`).toBeLessThan(HEALTH_QUICK_MS);
}

/** Peak and current resident set size in MB (VmHWM, VmRSS), or NaN once the process is gone. */
export function memoryOf(pid: number | undefined): { peakMb: number; rssMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { peakMb: Math.round(kb("VmHWM") / 102.4) / 10, rssMb: Math.round(kb("VmRSS") / 102.4) / 10 };
  } catch {
    return { peakMb: Number.NaN, rssMb: Number.NaN };
  }
}

/** Quantile `q` (0..1) of `xs` (nearest rank); NaN when empty. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

const LOCK = join(tmpdir(), "polybridge-hardening.lock");

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Takes the machine-wide hardening lock (a directory; stale when its owner process is gone);
 * resolves with its release. Waits up to `timeoutMs`.
 */
export async function exclusive(timeoutMs: number): Promise<() => void> {
  const token = `${process.pid}:${randomUUID()}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "owner"), token);
      return () => {
        try {
          if (readFileSync(join(LOCK, "owner"), "utf8") === token) rmSync(LOCK, { recursive: true, force: true });
        } catch {
          // already gone
        }
      };
    } catch {
      let owner = "";
      try {
        owner = readFileSync(join(LOCK, "owner"), "utf8");
      } catch {
        // being created or removed right now
      }
      const pid = Number(owner.split(":")[0]);
      let ageMs = 0;
      try {
        ageMs = Date.now() - statSync(LOCK).mtimeMs;
      } catch {
        // removed meanwhile
      }
      // Stale: its owner is gone, or it was left without an owner (killed between mkdir and write).
      if (owner ? !pidAlive(pid) : ageMs > 10_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the hardening lock ${LOCK} is still held by ${owner} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
