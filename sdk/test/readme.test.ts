import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { transform } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "@polybridge/server";

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL("..", import.meta.url));
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", workers: 2 });
});
afterAll(async () => {
  await server?.close();
});

describe("README", () => {
  it("its example runs against the reference server and prints what it says", async () => {
    const readme = await readFile(`${sdkDir}README.md`, "utf8");
    const block = /## Example\n+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, "README has a ```ts block under ## Example").toBeDefined();
    const { code } = await transform(block ?? "", { loader: "ts", format: "esm" });
    // Inside the package so `@polybridge/sdk` resolves the way it does for users.
    const file = `${sdkDir}readme-example.${process.pid}.tmp.mjs`;
    await writeFile(file, code);
    try {
      const { stdout } = await run(process.execPath, [file], { env: { ...process.env, POLYBRIDGE_URL: server.url }, timeout: 30_000 });
      const lines = stdout.trim().split("\n");
      expect(lines[0]).toBe("square(12) = 144");
      expect(lines.some((l) => /^progress \d+\/10000$/.test(l))).toBe(true);
      expect(lines.slice(-4)).toEqual(["primes below 10,000: 1229", "after cancel: dismissed", "result: job_cancelled", 'function_failed 422 fail: "boom"']);
    } finally {
      await rm(file, { force: true });
    }
  });
});
