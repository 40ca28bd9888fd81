// `polybridge worker` children for the scale-out tests: started until they take chunks, with
// their output kept for the log assertions (one line per Redis outage, no unhandled errors).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The CLI's entry point (the binary users run). */
export const cliBin = fileURLToPath(new URL("../../cli/bin/polybridge.js", import.meta.url));

/** A running `polybridge worker`. */
export interface WorkerProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `polybridge worker --redis URL ...args` and resolves once it prints `taking chunks`;
 * rejects with its output when it exits first or takes longer than `timeoutMs`.
 *
 * @example
 * const worker = await startWorkerProcess(redis.url, ["--workers", "1", "--lock-ms", "2000"]);
 * await worker.kill();
 */
export function startWorkerProcess(redisUrl: string, args: readonly string[] = [], timeoutMs = 60_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [cliBin, "worker", "--redis", redisUrl, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const handle: WorkerProcess = {
    child,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`polybridge worker not taking chunks within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes("taking chunks")) {
        clearTimeout(timer);
        resolve(handle);
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`polybridge worker exited before taking chunks:\n${output}`));
    });
  });
}
