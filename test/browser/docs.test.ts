// The API reference at /docs (Swagger UI from @fastify/swagger-ui) in Debian's Chromium: it
// renders the operations of GET /v1/openapi.json, and every request the page makes stays on the
// server itself (assets served locally: it works offline, no CDN).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServer, type RunningServer } from "@polybridge/server";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoDir = fileURLToPath(new URL("../../", import.meta.url));
let server: RunningServer;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  await run("bash", [join(repoDir, "scripts/ensure-chromium.sh")], { timeout: 600_000 });
  server = await startServer({ port: 0, host: "127.0.0.1", workers: 1 });
  userDataDir = await mkdtemp(join(tmpdir(), "polybridge-chromium-docs-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
}, 660_000);

afterAll(async () => {
  await context?.close();
  await server?.close(1_000);
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe("/docs in Chromium", () => {
  it("renders every operation of the contract from /v1/openapi.json, with no request leaving 127.0.0.1", { timeout: 60_000 }, async () => {
    const tab = await context.newPage();
    const requested: string[] = [];
    const elsewhere: string[] = [];
    tab.on("request", (request) => {
      const url = new URL(request.url());
      requested.push(url.href);
      if (url.protocol !== "data:" && url.protocol !== "blob:" && url.hostname !== "127.0.0.1") elsewhere.push(url.href);
    });
    const pageErrors: string[] = [];
    tab.on("pageerror", (error) => pageErrors.push(error.message));

    const res = await tab.goto(`${server.url}/docs`);
    expect(res?.status()).toBe(200);
    // Swagger UI lists each operation with its summary and (displayOperationId) its id.
    await tab.getByText("submitJob", { exact: true }).first().waitFor({ timeout: 30_000 });
    const text = await tab.locator("#swagger-ui").innerText();
    for (const words of ["Submit a parallel job", "getOpenApiJson", "streamJobEvents", "polybridge job protocol"]) expect(text).toContain(words);
    // The servers dropdown names the server itself (servers as served by /v1/openapi.json).
    expect(await tab.locator(".servers select").innerText()).toContain(server.url);

    expect(requested).toContain(`${server.url}/v1/openapi.json`);
    expect(requested.some((u) => u.startsWith(`${server.url}/docs/static/`))).toBe(true);
    expect(elsewhere, elsewhere.join("\n")).toEqual([]);
    expect(pageErrors).toEqual([]);
    await tab.close();
  });
});
