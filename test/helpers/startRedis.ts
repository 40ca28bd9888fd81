import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./freePort.js";

export { freePort };

/**
 * Installs redis-server if needed (scripts/ensure-redis.sh) and starts a private one on a free
 * loopback port, without persistence; `stop()` shuts it down and removes its files.
 */
export async function startRedis(): Promise<{ url: string; stop(): void }> {
  execFileSync("bash", [fileURLToPath(new URL("../../scripts/ensure-redis.sh", import.meta.url))], { stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "polybridge-redis-"));
  const port = await freePort();
  const pidfile = join(dir, "redis.pid");
  execFileSync("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--daemonize", "yes", "--pidfile", pidfile, "--dir", dir, "--logfile", join(dir, "redis.log")]);
  for (let i = 0; i < 100; i++) {
    try {
      if (execFileSync("redis-cli", ["-p", String(port), "ping"]).toString().trim() === "PONG") break;
    } catch {
      /* not up yet */
    }
    execFileSync("sleep", ["0.05"]);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop() {
      try {
        process.kill(Number(readFileSync(pidfile, "utf8")), "SIGTERM");
      } catch {
        /* already gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
