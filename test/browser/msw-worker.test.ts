import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PageReport } from "./page/main.js";
import { servePage, type ServedPage } from "./servePage.js";

const run = promisify(execFile);
const repoDir = fileURLToPath(new URL("../../", import.meta.url));
const sdkDir = join(repoDir, "sdk");
let page: ServedPage;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  // Debian's Chromium; the script installs it only when missing.
  await run("bash", [join(repoDir, "scripts/ensure-chromium.sh")], { timeout: 600_000 });
  // Bundled the way an app would be: browser conditions, packages resolved from the sdk workspace.
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./page/main.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    nodePaths: [join(sdkDir, "node_modules"), join(repoDir, "node_modules")],
    logLevel: "silent",
  });
  const mainJs = bundle.outputFiles[0]?.text ?? "";
  // msw's own service worker script, from the installed msw (what `npx msw init` would copy).
  const workerJs = await readFile(join(repoDir, "node_modules/msw/lib/mockServiceWorker.js"), "utf8");
  page = await servePage({
    "/": '<!doctype html><html><head><meta charset="utf-8"><title>polybridge msw</title></head><body><script type="module" src="/main.js"></script></body></html>',
    "/main.js": mainJs,
    "/mockServiceWorker.js": workerJs,
  });
  userDataDir = await mkdtemp(join(tmpdir(), "polybridge-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
}, 660_000);

afterAll(async () => {
  await context?.close();
  await page?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe("@polybridge/sdk/msw in Chromium with setupWorker", () => {
  it("runs a job through the SDK, with progress and a mocked failure", { timeout: 60_000 }, async () => {
    const tab = await context.newPage();
    const consoleErrors: string[] = [];
    tab.on("console", (m) => void (m.type() === "error" && consoleErrors.push(m.text())));
    await tab.goto(page.url);
    await tab.waitForFunction(() => window.pageReport !== undefined, undefined, { timeout: 30_000 });
    const report = (await tab.evaluate(() => window.pageReport)) as PageReport;
    expect(report.error, consoleErrors.join("\n")).toBeUndefined();
    expect(report.result).toEqual({ kind: "map", items: [1, 4, 9, 16] });
    // Two chunks of two, one at a time, 30 ms apart: the SSE stream from the worker shows both.
    expect(report.progress).toEqual(["2/4", "4/4"]);
    expect(report.failedCode).toBe("item_failed");
    expect(report.failedDetail).toBe("mocked in the browser");
    // Seeded ids: 32 hex digits, the same on every run with seed "browser".
    expect(report.jobIds).toHaveLength(2);
    for (const id of report.jobIds) expect(id).toMatch(/^job_[0-9a-f]{32}$/);
    // The answers really came from the worker: the static server has no /v1 routes.
    const direct = await tab.evaluate(async () => (await fetch("/v1/health")).status);
    expect(direct).toBe(200);
    await tab.close();
  });
});
