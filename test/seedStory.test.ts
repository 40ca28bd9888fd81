// The README's "The seed's system, running" section, run as written: its shell block (with the
// checkout's CLI for `npx @polybridge/cli` and free ports for 9101/9102) makes the Erlang skeleton,
// starts two Erlang nodes and runs its Python client, which must print exactly what the README says.
// Loopback only: the nodes use an epmd of their own on a free port and a temporary HOME (Erlang
// writes ~/.erlang.cookie there), and every process the block started is stopped afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCommand } from "./helpers/serverProcess.js";
import { freePort } from "./helpers/freePort.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const ensureErlang = join(root, "scripts", "ensure-erlang.sh");

/** The fenced blocks of the README section `title`, by language. */
async function sectionBlocks(title: string): Promise<Record<string, string>> {
  const readme = await readFile(join(root, "README.md"), "utf8");
  const start = readme.indexOf(`## ${title}\n`);
  expect(start, `README has "## ${title}"`).toBeGreaterThan(-1);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const blocks: Record<string, string> = {};
  for (const [, lang, body] of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) blocks[lang as string] = body as string;
  return blocks;
}

let tmp = "";
let epmd: ChildProcess | undefined;
let shell: ChildProcess | undefined;

beforeAll(async () => {
  const ensured = await runCommand("bash", [ensureErlang], { cwd: root, timeoutMs: 600_000 });
  expect(ensured.code, ensured.output).toBe(0);
  tmp = await mkdtemp(join(tmpdir(), "polybridge-seed-story-"));
}, 620_000);

afterAll(async () => {
  // The block's nodes run in the background of its shell: stop its whole process group.
  if (shell?.pid !== undefined) {
    try {
      process.kill(-shell.pid, "SIGTERM");
      await sleep(500);
      process.kill(-shell.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  epmd?.kill("SIGTERM");
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

it("runs the seed's system from the README: Python client → two Erlang nodes → word count and the ring", async () => {
  const blocks = await sectionBlocks("The seed's system, running");
  const { sh, python, text } = blocks;
  expect(sh && python && text, "the section has sh, python and text blocks").toBeTruthy();
  await writeFile(join(tmp, "send_to_erlang.py"), python as string);

  const [epmdPort, port1, port2] = [await freePort(), await freePort(), await freePort()];
  epmd = spawn("epmd", ["-port", String(epmdPort), "-address", "127.0.0.1"], { stdio: "ignore" });
  await sleep(300);
  const script = (sh as string)
    .replaceAll("npx @polybridge/cli", `node ${JSON.stringify(join(root, "cli", "bin", "polybridge.js"))}`)
    .replaceAll("9101", String(port1))
    .replaceAll("9102", String(port2));

  let stdout = "";
  let stderr = "";
  shell = spawn("bash", ["-e", "-c", script], {
    cwd: tmp,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      HOME: tmp,
      ERL_EPMD_PORT: String(epmdPort),
      ERL_FLAGS: "-kernel inet_dist_use_interface {127,0,0,1}",
    },
  });
  shell.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  shell.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 240_000);
    shell?.on("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  expect(code, `${stdout}\n${stderr}`).toBe(0);
  // What the client printed, among what `new`, make and the nodes wrote to the same stdout: the
  // lines that start like the README's expected lines.
  const expected = (text as string).trimEnd().split("\n");
  const prefixes = expected.map((line) => line.slice(0, line.indexOf(":") + 1));
  const printed = stdout.split("\n").filter((line) => prefixes.some((p) => line.startsWith(p)));
  expect(printed).toEqual(expected);
}, 300_000);
