// Child processes for the registry scenarios: every command runs in its own process group, so
// a timeout or a finally block ends the whole tree (npm → sh → node), never the test run.
import { spawn, type ChildProcess } from "node:child_process";

/** How a command ended, with what it printed. */
export interface Ran {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout only. */
  stdout: string;
  /** stdout and stderr as they arrived. */
  output: string;
  ms: number;
}

/** Options of {@link sh} and {@link startShell}. */
export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** SIGKILL to the process group after this long (sh), or reject unless ready (startShell). */
  timeoutMs: number;
}

function spawnGroup(command: string, options: Omit<RunOptions, "timeoutMs">): { child: ChildProcess; log: { stdout: string; output: string } } {
  const child = spawn("bash", ["-c", command], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const log = { stdout: "", output: "" };
  child.stdout!.on("data", (chunk: Buffer) => {
    log.stdout += chunk.toString();
    log.output += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => (log.output += chunk.toString()));
  return { child, log };
}

/** Signals the child's whole process group (it leads one: spawned detached). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs a shell command line to completion (bash -c, as a README's reader would type it); never
 * rejects on a non-zero exit, the caller asserts on `code` with `output` as the message.
 *
 * @example
 * const ran = await sh("npm i @polybridge/sdk", { cwd: dir, env, timeoutMs: 180_000 });
 * expect(ran.code, ran.output).toBe(0);
 */
export function sh(command: string, options: RunOptions): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const { child, log } = spawnGroup(command, options);
    const timer = setTimeout(() => {
      log.output += `\n[killed: still running after ${options.timeoutMs} ms]`;
      killGroup(child, "SIGKILL");
    }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      // Leave nothing behind (a `cmd &` inside the line, a stray grandchild).
      killGroup(child, "SIGKILL");
      resolve({ command, code, signal, stdout: log.stdout, output: log.output, ms: Date.now() - started });
    });
  });
}

/** {@link sh} that throws, with the command's output, unless it exits 0. */
export async function shOk(command: string, options: RunOptions): Promise<Ran> {
  const ran = await sh(command, options);
  if (ran.code !== 0) throw new Error(`\`${command}\` in ${options.cwd} exited ${ran.code ?? ran.signal} after ${ran.ms} ms:\n${ran.output.slice(-6000)}`);
  return ran;
}

/** A long-running command (a server) that has printed what `ready` matches. */
export interface Started {
  /** The match of `ready` in stdout. */
  match: RegExpExecArray;
  output(): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a shell command line and resolves once its stdout matches `ready`; rejects (and kills
 * the group) when it exits first or `timeoutMs` passes.
 *
 * @example
 * const server = await startShell("npx @polybridge/cli serve --port 0", /polybridge listening on (\S+)/, { cwd, env, timeoutMs: 120_000 });
 * try { … server.match[1] … } finally { await server.stop(); }
 */
export function startShell(command: string, ready: RegExp, options: RunOptions): Promise<Started> {
  const { child, log } = spawnGroup(command, options);
  const exit = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) killGroup(child, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exit, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    killGroup(child, "SIGKILL");
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      killGroup(child, "SIGKILL");
      reject(new Error(`\`${command}\` in ${options.cwd}: ${why}:\n${log.output.slice(-6000)}`));
    };
    const timer = setTimeout(() => fail(`not ready (${ready}) within ${options.timeoutMs} ms`), options.timeoutMs);
    const onData = (): void => {
      const match = ready.exec(log.stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve({ match, output: () => log.output, stop });
    };
    child.stdout!.on("data", onData);
    child.once("error", (error) => fail(String(error)));
    void exit.then(() => fail(`exited (${child.exitCode ?? child.signalCode}) before it was ready`));
  });
}
