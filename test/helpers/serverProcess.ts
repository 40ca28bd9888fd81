// Child processes for end-to-end tests of server stacks: a server command started until its
// `polybridge listening on` line (docs/PROTOCOL.md, "Conventions for a server process") and
// stopped with SIGTERM, and one-shot commands (build, unit tests) run to completion. Every wait
// is bounded, so a hung child fails the test instead of the run.
import { spawn, type ChildProcess } from "node:child_process";

/** How a one-shot command ended, with what it printed. */
export interface Finished {
  /** Exit code; `null` when a signal ended it (e.g. the timeout's SIGKILL). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stdout and stderr interleaved as they arrived: the text to show when a check fails. */
  output: string;
}

/** Options of {@link runCommand} and {@link startServerProcess}. */
export interface ProcessOptions {
  cwd: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** runCommand: SIGKILL after this long. startServerProcess: reject unless listening by then. */
  timeoutMs: number;
}

/** A server child that printed its listening line. */
export interface ServerProcess {
  /** From the `polybridge listening on URL` line: the real (possibly ephemeral) port. */
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /**
   * Resolves with the exit code once the child exits; after `timeoutMs` it is SIGKILLed and the
   * promise rejects (a server that ignores SIGTERM is a failure, not a slow pass).
   */
  exited(timeoutMs?: number): Promise<number | null>;
  /** SIGTERM (when still running), then {@link ServerProcess.exited}. Safe to call twice. */
  stop(timeoutMs?: number): Promise<number | null>;
}

const LISTENING = /^polybridge listening on (http:\/\/\S+)$/m;

function spawnCollecting(command: string, args: readonly string[], options: ProcessOptions): { child: ChildProcess; log: { stdout: string; output: string } } {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  const log = { stdout: "", output: "" };
  // Always drained: a child blocked on a full pipe would look like a hung server.
  child.stdout!.on("data", (chunk: Buffer) => {
    log.stdout += chunk.toString();
    log.output += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => (log.output += chunk.toString()));
  return { child, log };
}

/**
 * Runs a command to completion, killing it after `timeoutMs`; never rejects on a non-zero exit
 * (the caller asserts on `code` with `output` as the message).
 *
 * @example
 * const build = await runCommand("make", [], { cwd: dir, timeoutMs: 120_000 });
 * expect(build.code, build.output).toBe(0);
 */
export function runCommand(command: string, args: readonly string[], options: ProcessOptions): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const { child, log } = spawnCollecting(command, args, options);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: log.stdout, output: log.output });
    });
  });
}

/**
 * Starts a server command on 127.0.0.1 (overridable through `env`; every other setting is the
 * server's default: the conformance suite asks for the heartbeat interval it needs with
 * `?heartbeatMs=`) and resolves once it prints its listening line.
 * Rejects, with the child's output, when it exits first or is not listening within `timeoutMs`
 * (then it is killed).
 *
 * @example
 * const server = await startServerProcess("python3", ["server.py", "--port", "0"], { cwd: dir, timeoutMs: 30_000 });
 * try { await fetch(`${server.url}/v1/health`); } finally { expect(await server.stop()).toBe(0); }
 */
export function startServerProcess(command: string, args: readonly string[], options: ProcessOptions): Promise<ServerProcess> {
  const { child, log } = spawnCollecting(command, args, {
    ...options,
    env: { HOST: "127.0.0.1", ...options.env },
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const describe = `${command} ${args.join(" ")}`;
  const exited = async (timeoutMs = 15_000): Promise<number | null> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${describe}: still running ${timeoutMs} ms after SIGTERM (killed):\n${log.output}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([exit, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const stop = (timeoutMs?: number): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited(timeoutMs);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${describe}: no 'polybridge listening' line within ${options.timeoutMs} ms:\n${log.output}`));
    }, options.timeoutMs);
    const onData = (): void => {
      const match = LISTENING.exec(log.stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve({ url: match[1], child, output: () => log.output, exited, stop });
    };
    child.stdout!.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exit.then((code) => {
      clearTimeout(timer);
      // A no-op once resolved: a later exit is the caller's to observe through exited().
      reject(new Error(`${describe}: exited (${code}) before listening:\n${log.output}`));
    });
  });
}
