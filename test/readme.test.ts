import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, expect, it } from "vitest";

const run = promisify(execFile);
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(() => server.close(1_000));

it("runs the README's curl examples against a fresh server", async () => {
  const block = /```sh\n(curl[\s\S]*?)```/.exec(readme)?.[1];
  expect(block, "README has a curl example block").toBeTruthy();
  const script = (block as string).replaceAll("http://127.0.0.1:8080", server.url);
  const outputs: unknown[] = [];
  // One command per curl line (continuations joined), each must succeed and print JSON.
  for (const command of script.replace(/\\\n\s*/g, " ").split("\n").filter((l) => l.startsWith("curl"))) {
    const { stdout } = await run("bash", ["-c", command]);
    outputs.push(JSON.parse(stdout));
  }
  expect(outputs).toHaveLength(5);
  expect(outputs[0]).toMatchObject({ status: "ok" });
  expect(outputs[2]).toMatchObject({ output: 144 });
  expect(outputs[3]).toMatchObject({ status: "successful", result: { kind: "fold", value: 78498 } });
  expect(outputs[4]).toMatchObject({ result: { entries: [["cat", 1], ["dog", 1], ["the", 2]] } });
});

it("loads the README's function module example and serves it", async () => {
  const source = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(source, "README has a function module example").toBeTruthy();
  // Written inside the repo so `@polybridge/server/functions` resolves from node_modules.
  const dir = new URL("./.tmp/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL("readme-functions.mjs", dir);
  writeFileSync(file, source as string);
  const custom = await startServer({ port: 0, workers: 1, functionModules: [file.href] });
  try {
    const res = await fetch(`${custom.url}/v1/functions/cube/call`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"input":3}' });
    expect(await res.json()).toMatchObject({ output: 27 });
  } finally {
    await custom.close(1_000);
  }
});
