// A redis-server child the chaos tests can SIGKILL and start again on the same port, with or
// without persistence (AOF), in a private temporary folder removed by stop().
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../helpers/startRedis.js";

/** Options of {@link RedisProcess.start}. */
export interface RedisProcessOptions {
  /** AOF on (`appendfsync everysec`): the data survives a SIGKILL. Default false (no persistence at all). */
  aof?: boolean;
}

/** Resolves once something answers PING with PONG on 127.0.0.1:port, rejects after `timeoutMs`. */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port });
      socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
      socket.once("error", () => resolve(false));
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (data) => (socket.destroy(), resolve(data.toString().startsWith("+PONG"))));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A private redis-server on a loopback port.
 *
 * @example
 * const redis = await RedisProcess.start({ aof: true });
 * await redis.kill(); await redis.restart(); await redis.stop();
 */
export class RedisProcess {
  #child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly options: RedisProcessOptions,
  ) {}

  /** Installs redis-server when missing (scripts/ensure-redis.sh), then starts it. */
  static async start(options: RedisProcessOptions = {}): Promise<RedisProcess> {
    const redis = await RedisProcess.reserve(options);
    await redis.restart();
    return redis;
  }

  /** Installs redis-server when missing and picks its port and folder, without starting it (`restart()` does). */
  static async reserve(options: RedisProcessOptions = {}): Promise<RedisProcess> {
    execFileSync("bash", [fileURLToPath(new URL("../../scripts/ensure-redis.sh", import.meta.url))], { stdio: "inherit" });
    return new RedisProcess(await freePort(), mkdtempSync(join(tmpdir(), "polybridge-redis-")), options);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server again (same port, same folder: with AOF it reloads its data). */
  async restart(): Promise<void> {
    const persistence = this.options.aof ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no"];
    this.#child = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(this.port), "--save", "", ...persistence, "--dir", this.dir, "--logfile", join(this.dir, "redis.log")], {
      stdio: "ignore",
    });
    await waitForPong(this.port, 10_000);
  }

  /** SIGKILL (no shutdown, no final write); resolves once the process is gone and its port free. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** Kills the server and removes its folder. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
