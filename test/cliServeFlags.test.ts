// The `serve` flags README.md documents for exposing a server (tokens, open groups, CORS, rate
// limits), run through the real binary in a fresh folder, as an operator types them.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand, startServerProcess, type ServerProcess } from "./helpers/serverProcess.js";

const bin = fileURLToPath(new URL("../cli/bin/polybridge.js", import.meta.url));
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "polybridge-serve-flags-"));
  await writeFile(join(dir, "tokens.txt"), "# the ops team\nfile-token\n\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("polybridge serve with auth, CORS and rate-limit flags", () => {
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    server = await startServerProcess(
      process.execPath,
      [bin, "serve", "--port", "0", "--workers", "1", "--auth-token", "flag-token", "--auth-tokens-file", "tokens.txt", "--auth-open", "health,catalogue", "--cors-origin", "http://app.example", "--rate-limit", "100"],
      { cwd: dir, timeoutMs: 30_000, env: { POLYBRIDGE_AUTH_TOKENS: "env-token" } },
    );
  }, 40_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("accepts tokens from the flag, the file and the environment, and nothing else", async () => {
    const url = `${server!.url}/v1/jobs`;
    for (const token of ["flag-token", "file-token", "env-token"]) {
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status, token).toBe(200);
    }
    const refused = await fetch(url);
    expect([refused.status, refused.headers.get("www-authenticate")]).toEqual([401, 'Bearer realm="polybridge"']);
    expect((await fetch(url, { headers: { authorization: "Bearer # the ops team" } })).status).toBe(401);
  });

  it("leaves health and the catalogue open, answers preflights and counts requests", async () => {
    expect((await fetch(`${server!.url}/v1/health`)).status).toBe(200);
    expect((await fetch(`${server!.url}/v1/functions`)).status).toBe(200);
    const preflight = await fetch(`${server!.url}/v1/jobs`, { method: "OPTIONS", headers: { origin: "http://app.example", "access-control-request-method": "POST" } });
    expect([preflight.status, preflight.headers.get("access-control-allow-origin")]).toEqual([204, "http://app.example"]);
    const limited = await fetch(`${server!.url}/v1/jobs`, { headers: { authorization: "Bearer flag-token" } });
    expect(limited.headers.get("x-ratelimit-limit")).toBe("100");
  });
});

it("refuses an unknown --auth-open group with one line and exit 2", async () => {
  const result = await runCommand(process.execPath, [bin, "serve", "--port", "0", "--auth-open", "everything"], { cwd: dir || tmpdir(), timeoutMs: 20_000 });
  expect(result.code, result.output).toBe(2);
  expect(result.output.trim()).toMatch(/^polybridge serve: unknown open group\(s\) everything/);
  expect(result.output.trim().split("\n")).toHaveLength(1);
});
