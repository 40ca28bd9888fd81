// The demo page at `/` in Chromium against the reference server: a real job with a moving
// progress bar, a cancel, a failed item, a mapreduce table, client-side validation, a phone-width
// screen, the keyboard, and a server that wants tokens. Any console error, page error or request
// to a host other than 127.0.0.1 fails the test.
//
// Needs the built page (`npm run build` bundles demo/ into server/dist/demo). The screenshot in
// the README (docs/demo.png) is written when missing or with POLYBRIDGE_SCREENSHOT=1; otherwise it
// goes to test/.tmp/demo.png, so a test run leaves the checkout clean.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServer, type RunningServer } from "@polybridge/server";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoDir = fileURLToPath(new URL("../../", import.meta.url));
const builtPage = join(repoDir, "server/dist/demo/index.html");
const screenshotPath = join(repoDir, "docs/demo.png");

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Problems seen by the open pages: console errors, page errors, foreign requests. */
let problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(builtPage)) throw new Error(`${builtPage} is missing: run \`npm run build\` first (it bundles demo/).`);
  // Debian's Chromium; the script installs it only when missing.
  await run("bash", [join(repoDir, "scripts/ensure-chromium.sh")], { timeout: 600_000 });
  server = await startServer({ port: 0 });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"],
  });
}, 660_000);

afterAll(async () => {
  await browser?.close();
  await server?.close(0);
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  const seen = problems;
  problems = [];
  expect(seen, "console errors, page errors or requests off 127.0.0.1").toEqual([]);
});

interface OpenOptions {
  url?: string;
  viewport?: { width: number; height: number };
  mobile?: boolean;
  /** Console errors this test expects (e.g. the browser's own line for a 401 answer). */
  allowConsole?: RegExp[];
}

/** Opens the page in a fresh context, with the guards on, and waits for the first loads. */
async function openDemo(options: OpenOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    ...(options.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  contexts.push(context);
  // Offline by construction: anything not on 127.0.0.1 is recorded and never leaves the machine.
  await context.route(
    (url) => url.hostname !== "127.0.0.1",
    async (route) => {
      problems.push(`request off 127.0.0.1: ${route.request().url()}`);
      await route.abort();
    },
  );
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && !(options.allowConsole ?? []).some((re) => re.test(m.text()))) problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.protocol !== "data:" && url.hostname !== "127.0.0.1") problems.push(`request off 127.0.0.1: ${r.url()}`);
  });
  const response = await page.goto(options.url ?? `${server.url}/`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()["content-type"]).toBe("text/html; charset=utf-8");
  await page.waitForSelector("html[data-ready=true]", { timeout: 15_000 });
  return page;
}

interface JobForm {
  kind: "call" | "map" | "filter" | "fold" | "mapreduce";
  fn: string;
  reducer?: string;
  items?: unknown[];
  range?: { start: number; end: number; step?: number };
  chunkSize?: number;
  concurrency?: number;
}

/** Fills the form through its labels, the way a person (or a screen reader) finds the fields. */
async function fill(page: Page, form: JobForm): Promise<void> {
  await page.getByLabel("Kind", { exact: true }).selectOption(form.kind);
  await page.getByLabel("Function", { exact: true }).selectOption(form.fn);
  if (form.reducer) await page.getByLabel("Reducer", { exact: true }).selectOption(form.reducer);
  if (form.items) {
    await page.getByRole("radio", { name: "Items" }).check();
    await page.getByLabel("Items (a JSON array)").fill(JSON.stringify(form.items));
  }
  if (form.range) {
    await page.getByRole("radio", { name: "Range" }).check();
    await page.getByLabel("Start", { exact: true }).fill(String(form.range.start));
    await page.getByLabel("End (excluded)").fill(String(form.range.end));
    await page.getByLabel("Step", { exact: true }).fill(String(form.range.step ?? 1));
  }
  await page.getByLabel("Chunk size").fill(form.chunkSize === undefined ? "" : String(form.chunkSize));
  await page.getByLabel("Concurrency").fill(form.concurrency === undefined ? "" : String(form.concurrency));
}

const runButton = (page: Page) => page.getByRole("button", { name: "Run", exact: true });

async function statusOf(page: Page): Promise<string | undefined> {
  return (await page.locator("#status").getAttribute("data-status")) ?? undefined;
}

async function waitForStatus(page: Page, status: string, timeout = 30_000): Promise<void> {
  await page.waitForSelector(`#status[data-status="${status}"]`, { timeout });
}

async function resultRows(page: Page): Promise<string[][]> {
  return page.locator("#result tbody tr").evaluateAll((rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent ?? "")));
}

/** True when the page scrolls sideways (content wider than the viewport). */
async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth || document.body.scrollWidth > window.innerWidth);
}

describe("the demo page at /", () => {
  it("serves the page and its assets with their types, no CDN, a strict CSP", async () => {
    const html = await fetch(`${server.url}/`);
    expect(html.headers.get("content-security-policy")).toContain("default-src 'none'");
    const text = await html.text();
    expect(text).not.toMatch(/https?:\/\//);
    for (const [path, type] of [["/demo/main.js", "text/javascript; charset=utf-8"], ["/demo/style.css", "text/css; charset=utf-8"], ["/demo/icon.svg", "image/svg+xml"]] as const) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toBe(type);
      const etag = res.headers.get("etag") ?? "";
      await res.arrayBuffer();
      expect((await fetch(`${server.url}${path}`, { headers: { "if-none-match": etag } })).status, path).toBe(304);
    }
    const missing = await fetch(`${server.url}/demo/nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
  });

  it("ships in the @polybridge/server tarball, so an installed server serves it too", { timeout: 60_000 }, async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: join(repoDir, "server") });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(expect.arrayContaining(["dist/demo/index.html", "dist/demo/main.js", "dist/demo/style.css", "dist/demo/icon.svg", "dist/http/demoRoutes.js"]));
  });

  it("lists the catalogue with kinds, descriptions and schemas", async () => {
    const page = await openDemo();
    const names = await page.locator(".function h3").allTextContents();
    expect(names).toEqual(expect.arrayContaining(["countPrimes", "sleep", "fail", "tokenize", "sum", "square"]));
    const countPrimes = page.locator(".function", { has: page.locator("h3", { hasText: /^countPrimes$/ }) });
    await expect.poll(() => countPrimes.locator(".badge").textContent()).toBe("reducer");
    await countPrimes.getByText("Input schema").click();
    expect(await countPrimes.locator("pre").first().textContent()).toContain('"type": "integer"');
    expect(await page.locator("#server-info").textContent()).toMatch(/^ok · server \d+\.\d+\.\d+/);
  });

  it("names every control (a label, aria-label or text) and announces status and progress", async () => {
    const page = await openDemo();
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll("input, select, textarea, button"))
        .filter((c) => {
          const control = c as HTMLInputElement;
          return !((control.labels?.length ?? 0) > 0 || c.getAttribute("aria-label") || c.getAttribute("aria-labelledby") || (c.tagName === "BUTTON" && c.textContent?.trim()));
        })
        .map((c) => c.outerHTML.slice(0, 100)),
    );
    expect(unnamed).toEqual([]);
    expect(await page.locator("#status").getAttribute("aria-live")).toBe("polite");
    expect(await page.locator("#progress-text").getAttribute("aria-live")).toBe("polite");
    expect(await page.locator("#problem").getAttribute("role")).toBe("alert");
  });

  it("folds countPrimes over 0..3,000,000 with a moving progress bar, then shows the count", { timeout: 120_000 }, async () => {
    const page = await openDemo();
    await fill(page, { kind: "fold", fn: "countPrimes", range: { start: 0, end: 3_000_000 }, chunkSize: 100_000 });
    // Every value the bar takes, and whether the result was already on the page then.
    await page.evaluate(() => {
      const bar = document.querySelector("progress") as HTMLProgressElement;
      const result = document.querySelector("#result") as HTMLElement;
      const seen: { value: number; max: number; resultShown: boolean }[] = [];
      (window as unknown as { barValues: typeof seen }).barValues = seen;
      new MutationObserver(() => seen.push({ value: bar.value, max: bar.max, resultShown: !result.hidden })).observe(bar, { attributes: true, attributeFilter: ["value", "max"] });
    });
    await runButton(page).click();
    await waitForStatus(page, "successful", 110_000);
    const values = (await page.evaluate(() => (window as unknown as { barValues: { value: number; max: number; resultShown: boolean }[] }).barValues))
      .filter((v) => !v.resultShown && v.max === 3_000_000)
      .map((v) => v.value);
    let increases = 0;
    for (let i = 1; i < values.length; i++) if ((values[i] ?? 0) > (values[i - 1] ?? 0)) increases += 1;
    expect(increases, `bar values before the result: ${values.join(", ")}`).toBeGreaterThanOrEqual(2);
    expect(await page.locator("progress").evaluate((bar: HTMLProgressElement) => [bar.value, bar.max])).toEqual([3_000_000, 3_000_000]);
    // π(3,000,000) = 216,816.
    expect(await resultRows(page)).toEqual([["fold", "216,816"]]);
    expect(await page.locator("#progress-text").textContent()).toContain("30 of 30 chunks");
  });

  it("cancels a slow job: the status says dismissed", { timeout: 60_000 }, async () => {
    const page = await openDemo();
    await fill(page, { kind: "map", fn: "sleep", items: [5000, 5000, 5000], chunkSize: 1 });
    await runButton(page).click();
    await waitForStatus(page, "running", 10_000);
    const cancel = page.getByRole("button", { name: "Cancel" });
    expect(await cancel.isEnabled()).toBe(true);
    const started = Date.now();
    await cancel.click();
    await waitForStatus(page, "dismissed", 10_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await page.locator("#status").textContent()).toMatch(/dismissed.*map sleep/);
    expect(await page.locator("#result").isHidden()).toBe(true);
    expect(await runButton(page).isEnabled()).toBe(true);
    expect(await cancel.isDisabled()).toBe(true);
  });

  it("shows a failed item as a readable problem: title, code item_failed, the index", async () => {
    const page = await openDemo();
    await fill(page, { kind: "map", fn: "fail", items: [1, -1] });
    await runButton(page).click();
    await waitForStatus(page, "failed");
    const problem = page.getByRole("alert").filter({ hasText: "item_failed" });
    expect(await problem.locator(".problem-title").textContent()).toBe("Item failed");
    expect(await problem.locator(".problem-code").textContent()).toBe("item_failed");
    expect(await problem.locator(".problem-item").textContent()).toBe("1");
    expect(await problem.locator(".problem-detail").textContent()).toBe("fail: -1");
  });

  it("shows a mapreduce (tokenize + sum) as a table of keys, with a chart", async () => {
    const page = await openDemo();
    await fill(page, { kind: "mapreduce", fn: "tokenize", reducer: "sum", items: ["the cat", "the dog", "The end"] });
    await runButton(page).click();
    await waitForStatus(page, "successful");
    expect(await page.locator("#result thead th").allTextContents()).toEqual(["key", "value"]);
    expect(await resultRows(page)).toEqual([["cat", "1"], ["dog", "1"], ["end", "1"], ["the", "3"]]);
    expect(await page.locator("#result svg.chart rect.bar").count()).toBe(4);
    // The recent jobs list has it, with its status.
    await expect.poll(() => page.locator("#jobs-list tbody tr").first().textContent()).toContain("tokenize + sum");
    expect(await page.locator("#jobs-list tbody tr").first().locator(".badge").textContent()).toBe("successful");
  });

  it("checks items against the function's JSON Schema before sending", async () => {
    const page = await openDemo();
    const submits: string[] = [];
    page.on("request", (r) => void (r.method() === "POST" && submits.push(r.url())));
    await fill(page, { kind: "map", fn: "sleep", items: [100, -5, "x"], chunkSize: 0 });
    await runButton(page).click();
    const errors = page.locator("#form-errors");
    await errors.waitFor();
    const text = (await errors.textContent()) ?? "";
    expect(text).toContain("item 1 (-5): must be >= 0");
    expect(text).toContain("item 2 (\"x\"): must be integer");
    expect(text).toContain("/chunkSize must be >= 1");
    expect(await page.getByLabel("Items (a JSON array)").getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("items");
    expect(await statusOf(page)).toBe("invalid");
    // A range is checked by its bounds: sleep takes 0..10000.
    await fill(page, { kind: "map", fn: "sleep", range: { start: 0, end: 20_000, step: 5_000 } });
    await runButton(page).click();
    await expect.poll(() => page.locator("#range-error").textContent()).toContain("value 15000: must be <= 10000");
    expect(submits).toEqual([]);
  });

  it("runs a synchronous call; a request the server refuses shows its problem", async () => {
    // Chromium logs the refused request (413) as a console error; that one is expected.
    const page = await openDemo({ allowConsole: [/status of 413/] });
    await page.getByLabel("Kind", { exact: true }).selectOption("call");
    await page.getByLabel("Function", { exact: true }).selectOption("square");
    await page.getByLabel("Input (JSON)").fill("12");
    await runButton(page).click();
    await waitForStatus(page, "successful");
    expect(await resultRows(page)).toEqual([["output", "144"]]);
    // Past the server's range limit (10^8 values): only the server knows it.
    await fill(page, { kind: "map", fn: "square", range: { start: 0, end: 200_000_000 } });
    await runButton(page).click();
    await waitForStatus(page, "error");
    const problem = page.locator("#problem");
    expect(await problem.locator(".problem-title").textContent()).toBe("Too many items");
    expect(await problem.locator(".problem-code").textContent()).toBe("too_many_items");
    expect(await problem.locator(".facts").textContent()).toContain("413");
    expect(await problem.locator(".problem-detail").textContent()).toContain("more than the limit");
  });

  it("is usable at phone width (375 px): no sideways scroll, every control on screen", { timeout: 60_000 }, async () => {
    const page = await openDemo({ viewport: { width: 375, height: 812 }, mobile: true });
    expect(await scrollsSideways(page)).toBe(false);
    const outside = await page.locator("#run-form").evaluate((form) =>
      Array.from(form.querySelectorAll("input, select, textarea, button"))
        .filter((c) => (c as HTMLElement).offsetParent !== null)
        .map((c) => ({ id: c.id || c.getAttribute("name"), rect: c.getBoundingClientRect() }))
        .filter(({ rect }) => rect.left < 0 || rect.right > window.innerWidth || rect.width < 24)
        .map(({ id, rect }) => `${id}: ${Math.round(rect.left)}..${Math.round(rect.right)}`),
    );
    expect(outside).toEqual([]);
    await fill(page, { kind: "map", fn: "square", range: { start: 0, end: 30 }, chunkSize: 10 });
    await runButton(page).tap();
    await waitForStatus(page, "successful");
    expect((await resultRows(page)).length).toBe(30);
    // Results, chart, jobs table and opened schemas stay inside the screen.
    for (const summary of await page.locator(".function summary").all()) await summary.click();
    expect(await scrollsSideways(page)).toBe(false);
  });

  it("works from the keyboard: Tab to Run, Enter runs it, focus is visible", async () => {
    const page = await openDemo();
    await fill(page, { kind: "map", fn: "square", items: [1, 2, 3] });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let presses = 0;
    while ((await page.evaluate(() => document.activeElement?.id)) !== "run") {
      expect(presses++, "Tab presses to reach Run").toBeLessThan(40);
      await page.keyboard.press("Tab");
    }
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(outline.style).not.toBe("none");
    expect(outline.width).toBeGreaterThanOrEqual(2);
    await page.keyboard.press("Enter");
    await waitForStatus(page, "successful");
    expect(await resultRows(page)).toEqual([["0", "1"], ["1", "4"], ["2", "9"]]);
  });

  // Once in a full CI run (loaded machine) this hung until its timeout and passed alone in 1.3 s;
  // not diagnosed yet, so one retry, which still fails when the page is really broken.
  it("asks for a token when the server wants one, and sends it", { timeout: 60_000, retry: 1 }, async () => {
    const secured = await startServer({ port: 0, auth: { tokens: ["demo-secret"] } });
    try {
      // Chromium logs every 401 answer as a console error; those (and only those) are expected here.
      const page = await openDemo({ url: `${secured.url}/`, allowConsole: [/status of 401/] });
      expect(await page.locator("#catalogue-list .problem-code").textContent()).toBe("unauthorized");
      expect(await page.locator("#access").getAttribute("open")).not.toBeNull();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("token");
      await page.getByLabel("Bearer token").fill("demo-secret");
      await page.getByRole("button", { name: "Use token" }).click();
      await page.locator(".function h3", { hasText: /^square$/ }).waitFor();
      await fill(page, { kind: "map", fn: "square", items: [4] });
      await runButton(page).click();
      await waitForStatus(page, "successful");
      expect(await resultRows(page)).toEqual([["0", "16"]]);
    } finally {
      await secured.close(0);
    }
  });

  it("takes the README's screenshot", async () => {
    const page = await openDemo({ viewport: { width: 1280, height: 1100 } });
    await fill(page, { kind: "map", fn: "square", range: { start: 0, end: 24 }, chunkSize: 4 });
    await runButton(page).click();
    await waitForStatus(page, "successful");
    await page.locator(".function summary").first().click();
    await page.evaluate(() => window.scrollTo(0, 0));
    const target = process.env.POLYBRIDGE_SCREENSHOT === "1" || !existsSync(screenshotPath) ? screenshotPath : join(repoDir, "test/.tmp/demo.png");
    await mkdir(join(target, ".."), { recursive: true });
    await page.screenshot({ path: target });
    expect(existsSync(target)).toBe(true);
  });
});
