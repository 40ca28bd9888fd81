import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServer } from "@polybridge/server";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../server/bin/polybridge.js", import.meta.url));
const polybridge = (...args: string[]) => run(process.execPath, [bin, ...args], { env: { ...process.env, POLYBRIDGE_HEARTBEAT_MS: "500" } });

describe("the polybridge CLI", () => {
  it("lists its commands", async () => {
    const { stdout } = await polybridge("--help");
    for (const command of ["serve", "worker", "generate", "conformance"]) expect(stdout).toContain(command);
  });

  it("rejects a bad flag with a clear message", async () => {
    await expect(polybridge("serve", "--port", "nope")).rejects.toMatchObject({ stderr: expect.stringContaining("expected an integer") });
  });

  it("checks the committed generated code, and generates from any spec", async () => {
    expect((await polybridge("generate", "--check")).stdout).toContain("up to date");
    const out = mkdtempSync(join(tmpdir(), "polybridge-gen-"));
    try {
      const spec = fileURLToPath(new URL("../codegen/test/fixtures/petstore-expanded.yaml", import.meta.url));
      await polybridge("generate", "--spec", spec, "--out", out);
      expect(readdirSync(out).sort()).toEqual(["enums.ts", "operations.ts", "schemas.ts", "types.ts"]);
      await expect(polybridge("generate", "--spec", spec)).rejects.toMatchObject({ stderr: expect.stringContaining("both --spec and --out") });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("runs the conformance suite against a URL and ends with the summary line", async () => {
    const server = await startServer({ port: 0, heartbeatMs: 500 });
    try {
      const { stdout } = await polybridge("conformance", "--url", server.url, "--run", "health.*,call.*");
      expect(stdout).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/m);
    } finally {
      await server.close(1_000);
    }
  });
});
