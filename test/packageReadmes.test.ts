// The code blocks of the package READMEs (core, spec, server, codegen) run as users would paste them:
// type-stripped to JavaScript, run by node inside the repository so `@polybridge/*` resolve, with
// the documented server address pointed at a live reference server.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServer, type RunningServer } from "@polybridge/server";
import ts from "typescript";
import { afterAll, beforeAll, expect, it } from "vitest";

const run = promisify(execFile);
const dir = fileURLToPath(new URL("./.tmp/package-readmes/", import.meta.url));
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, workers: 1 });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
});
afterAll(async () => {
  await server.close(1_000);
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
});

/** Runs the README's first ts block, each expression statement printed so the test can read it. */
async function runReadme(pkg: string, prepare?: () => void): Promise<string> {
  const readme = readFileSync(new URL(`../${pkg}/README.md`, import.meta.url), "utf8");
  const source = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(source, `${pkg}/README.md has a ts example`).toBeTruthy();
  // A bare expression with a `// result` comment is what the README says it gives: print it.
  const printed = (source as string).replace(/^(.+?); \/\/ (.+)$/gm, "console.log(JSON.stringify($1)); // $2");
  const js = ts.transpileModule(printed.replaceAll("http://127.0.0.1:8080", server.url), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  }).outputText;
  const file = `${dir}${pkg}.mjs`;
  writeFileSync(file, js);
  prepare?.();
  const { stdout } = await run(process.execPath, [file], { cwd: dir });
  return stdout;
}

it("core/README.md: defines a function and calls it", async () => {
  expect(JSON.parse((await runReadme("core")).trim())).toEqual({ ok: true, output: 27 });
});

it("spec/README.md: validates a live response and reads the problem table", async () => {
  const out = await runReadme("spec");
  expect(JSON.parse(out.trim().split("\n").at(-1) as string)).toEqual({ status: 401, title: "Authentication required", job: false });
  expect(out).not.toContain("error");
});

it("server/README.md: starts a server, calls a function and stops", async () => {
  expect((await runReadme("server")).trim()).toBe("144");
});

it("codegen/README.md: generates from a spec and types a live catalogue", async () => {
  await runReadme("codegen", () => copyFileSync(fileURLToPath(new URL("../codegen/test/fixtures/petstore-expanded.yaml", import.meta.url)), `${dir}api.yaml`));
  expect(readFileSync(`${dir}src/gen/functions.ts`, "utf8")).toContain("square");
  expect(readFileSync(`${dir}src/gen/types.ts`, "utf8")).toContain("export interface paths");
});
