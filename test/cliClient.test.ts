// The client commands of the `polybridge` binary (call, run, jobs list|get|result|cancel|watch)
// run as users type them: the real bin in a spawned node process, from a fresh folder, against a
// reference server started here (and one that wants tokens). Progress is checked in both
// modes — plain lines when stderr is a pipe, the cli-progress bar inside a pseudo-terminal
// (util-linux `script`) — and Ctrl-C (SIGINT) is sent to a running `run`. The last tests check
// coverage like test/cli.test.ts does for the other commands: every flag of these commands'
// --help is run in this file, every `polybridge call|run|jobs …` in a README uses only real
// flags, and the README's "CLI client" block runs as written.
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = join(root, "cli", "bin", "polybridge.js");

/** The client commands, as argument prefixes. */
const CLIENT_COMMANDS = [["call"], ["run"], ["jobs", "list"], ["jobs", "get"], ["jobs", "result"], ["jobs", "cancel"], ["jobs", "watch"]] as const;

/** Every argument list given to the binary in this file (the coverage test reads it). */
const ran: string[][] = [];
let work = "";
let server: RunningServer;
let secured: RunningServer;
const TOKEN = "cli-token";

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "polybridge-cli-client-"));
  server = await startServer({ port: 0, workers: 2 });
  secured = await startServer({ port: 0, workers: 1, auth: { tokens: [TOKEN] } });
});
afterAll(async () => {
  await server?.close(1_000);
  await secured?.close(1_000);
  await rm(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** Arguments for node before the bin (e.g. `--import` a loader hook). */
  nodeArgs?: string[];
  /** Written to stdin (else stdin is empty). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with the child and its stderr so far, on every stderr chunk. */
  onStderr?: (stderr: string, kill: (signal: NodeJS.Signals) => void) => void;
  timeoutMs?: number;
}

/** The environment of a child: no POLYBRIDGE_URL / POLYBRIDGE_TOKEN from outside unless given. */
function childEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.POLYBRIDGE_URL;
  delete base.POLYBRIDGE_TOKEN;
  return { ...base, ...env };
}

/** `node cli/bin/polybridge.js ...args` in the work folder, to completion. */
function polybridge(args: string[], options: RunOptions = {}): Promise<Run> {
  ran.push(args);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
      cwd: work,
      env: childEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, (signal) => child.kill(signal));
    });
    child.stdin.end(options.input ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Exit `code`, nothing on stdout, one line on stderr matching `pattern`, no stack trace. */
function expectOneLineFailure(run: Run, code: number, pattern: RegExp): void {
  const detail = `stdout: ${run.stdout}\nstderr: ${run.stderr}`;
  expect(run.code, detail).toBe(code);
  expect(run.stdout, detail).toBe("");
  expect(run.stderr.trimEnd().split("\n"), detail).toHaveLength(1);
  expect(run.stderr, detail).not.toMatch(/\bat .*:\d+:\d+/);
  expect(run.stderr.trimEnd(), detail).toMatch(pattern);
}

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** A job submitted straight over HTTP (not through the CLI). */
async function submit(body: unknown, base: string = server.url): Promise<string> {
  const res = await fetch(`${base}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function jobStatus(id: string): Promise<string> {
  return ((await (await fetch(`${server.url}/v1/jobs/${id}`)).json()) as { status: string }).status;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** `polybridge …args` inside a pseudo-terminal (`script -qfec CMD /dev/null`): what the terminal showed. */
function inTerminal(args: string[]): Promise<Run> {
  ran.push(args);
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, bin, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: work, env: childEnv({ TERM: "xterm" }), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Terminal output without escape sequences, carriage returns as line breaks. */
function plain(text: string): string {
  return text.replace(/\x1b(?:\[[0-9;?]*[A-Za-z]|[78])/g, "\n").replace(/\r\n?/g, "\n");
}

describe("polybridge call", () => {
  it("prints the output: pretty JSON, compact with --json", async () => {
    const square = await polybridge(["call", "square", "12", "--url", server.url]);
    expect([square.code, square.stdout, square.stderr]).toEqual([0, "144\n", ""]);
    const pretty = await polybridge(["call", "echo", '{"a":[1,2]}', "--url", server.url]);
    expect(pretty.stdout).toBe(`${JSON.stringify({ a: [1, 2] }, null, 2)}\n`);
    const compact = await polybridge(["call", "echo", '{"a":[1,2]}', "--url", server.url, "--json"]);
    expect(compact.stdout).toBe('{"a":[1,2]}\n');
  });

  it("reads the input from stdin with -, and a negative number after --", async () => {
    const stdin = await polybridge(["call", "tokenize", "-", "--url", server.url, "--json"], { input: '"The cat, the dog"\n' });
    expect(JSON.parse(stdin.stdout)).toEqual([["the", 1], ["cat", 1], ["the", 1], ["dog", 1]]);
    const negative = await polybridge(["call", "square", "--url", server.url, "--", "-5"]);
    expect([negative.code, negative.stdout]).toEqual([0, "25\n"]);
  });

  it("a function that fails is one line `code: detail` and exit 1; --timeout-ms bounds the call on the server", async () => {
    expectOneLineFailure(await polybridge(["call", "fail", '"boom"', "--url", server.url]), 1, /^polybridge call: function_failed: fail: "boom"$/);
    expectOneLineFailure(await polybridge(["call", "nosuch", "1", "--url", server.url]), 1, /^polybridge call: function_not_found: /);
    expectOneLineFailure(await polybridge(["call", "square", '"x"', "--url", server.url]), 1, /^polybridge call: validation_failed: .*square/);
    expectOneLineFailure(await polybridge(["call", "sleep", "3000", "--url", server.url, "--timeout-ms", "100"]), 1, /^polybridge call: call_timeout: /);
    const inTime = await polybridge(["call", "sleep", "10", "--url", server.url, "--timeout-ms", "5000"]);
    expect([inTime.code, inTime.stdout]).toEqual([0, "10\n"]);
  });
});

describe("polybridge run", () => {
  it("map over --range (with a negative step), --json prints the result object", async () => {
    const run = await polybridge(["run", "--kind", "map", "--function", "square", "--range", "10:0:-3", "--url", server.url, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ kind: "map", items: [100, 49, 16, 1] });
  });

  it("filter over --items FILE (a JSON array) prints the kept items as pretty JSON", async () => {
    await writeFile(join(work, "numbers.json"), JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const run = await polybridge(["run", "--kind", "filter", "--function", "isPrime", "--items", "numbers.json", "--url", server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${JSON.stringify([2, 3, 5, 7], null, 2)}\n`);
  });

  it("fold over --items - (one JSON value per line on stdin) and over a --range", async () => {
    const lines = await polybridge(["run", "--kind", "fold", "--function", "sum", "--items", "-", "--url", server.url], { input: "1\n2\n\n3\n" });
    expect([lines.code, lines.stdout], lines.stderr).toEqual([0, "6\n"]);
    const range = await polybridge(["run", "--kind", "fold", "--function", "countPrimes", "--range", "0:100000", "--url", server.url, "--json"]);
    expect(JSON.parse(range.stdout)).toEqual({ kind: "fold", value: 9592 });
  });

  it("mapreduce with --reducer over --items - (a JSON array): a key/value table, entries with --json", async () => {
    const input = JSON.stringify(["the cat", "the dog"]);
    const table = await polybridge(["run", "--kind", "mapreduce", "--function", "tokenize", "--reducer", "sum", "--items", "-", "--url", server.url], { input });
    expect([table.code, table.stdout], table.stderr).toEqual([0, "cat  1\ndog  1\nthe  2\n"]);
    await writeFile(join(work, "words.json"), input);
    const json = await polybridge(["run", "--kind", "mapreduce", "--function", "tokenize", "--reducer", "sum", "--items", "words.json", "--url", server.url, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ kind: "mapreduce", entries: [["cat", 1], ["dog", 1], ["the", 2]] });
  });

  it("without a terminal: progress as plain lines on stderr, only the result on stdout; the malt flags reach the server", async () => {
    const run = await polybridge([
      "run", "--kind", "map", "--function", "sleep", "--items", "-", "--chunk-size", "1", "--concurrency", "1", "--timeout-ms", "30000", "--url", server.url,
    ], { input: "[150, 150, 150, 150]" });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([150, 150, 150, 150]);
    const id = /^job (\S+): map sleep over 4 items in 4 chunks$/m.exec(run.stderr)?.[1];
    expect(id, run.stderr).toBeTruthy();
    expect(run.stderr).toMatch(new RegExp(`^job ${id} running$`, "m"));
    expect(run.stderr).toMatch(new RegExp(`^job ${id} 4/4 items, 4/4 chunks \\(100%\\)$`, "m"));
    expect(run.stderr).toMatch(new RegExp(`^job ${id} successful in \\d+\\.\\d s$`, "m"));
    expect(run.stderr).not.toMatch(/\x1b|\u2588/);
    const job = (await (await fetch(`${server.url}/v1/jobs/${id}`)).json()) as { options: unknown };
    expect(job.options).toEqual({ chunkSize: 1, concurrency: 1, timeoutMs: 30_000 });
  });

  it("--progress none prints no progress; --progress bar forces the bar without a terminal", async () => {
    const none = await polybridge(["run", "--kind", "map", "--function", "square", "--range", "0:3", "--progress", "none", "--url", server.url, "--json"]);
    expect([none.code, none.stderr, none.stdout]).toEqual([0, "", '{"kind":"map","items":[0,1,4]}\n']);
    const bar = await polybridge(["run", "--kind", "map", "--function", "sleep", "--items", "-", "--chunk-size", "1", "--progress", "bar", "--url", server.url], { input: "[200, 200, 200]" });
    expect(bar.code, bar.stderr).toBe(0);
    expect(bar.stderr).toMatch(/\u2588{30} 100% \| 3\/3 items \| 3\/3 chunks \| successful/);
  });

  it.skipIf(!hasScript)("on a terminal (a pseudo-terminal from `script`): a cli-progress bar that moves, then the result", async () => {
    const run = await inTerminal(["run", "--kind", "map", "--function", "sleep", "--range", "300:305", "--chunk-size", "1", "--concurrency", "1", "--url", server.url]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const screen = plain(run.stdout);
    expect(screen).toMatch(/^job \S+: map sleep over 5 items in 5 chunks$/m);
    // The bar is redrawn in place (escape sequences), through the steps to the end.
    expect(run.stdout).toMatch(/\x1b\[/);
    expect(screen).toMatch(/\u2591{30} 0% \| 0\/5 items \| 0\/5 chunks \| running/);
    expect(screen).toMatch(/\u2588+\u2591+ (20|40|60|80)% \| [1-4]\/5 items/);
    expect(screen).toMatch(/\u2588{30} 100% \| 5\/5 items \| 5\/5 chunks \| successful \| \d+s/);
    expect(screen).toMatch(/^job \S+ successful in \d+\.\d s$/m);
    expect(screen).toContain(JSON.stringify([300, 301, 302, 303, 304], null, 2));
  });

  it("Ctrl-C (SIGINT) cancels the running job on the server and exits 130", async () => {
    let id: string | undefined;
    let sent = false;
    const started = Date.now();
    const run = await polybridge(["run", "--kind", "map", "--function", "sleep", "--items", "-", "--chunk-size", "1", "--url", server.url], {
      input: "[10000, 10000]",
      onStderr: (stderr, kill) => {
        id = /^job (\S+) running$/m.exec(stderr)?.[1];
        if (id && !sent) {
          sent = true;
          kill("SIGINT");
        }
      },
    });
    expect(id, run.stderr).toBeTruthy();
    expect(run.code, run.stderr).toBe(130);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(new RegExp(`^polybridge run: interrupted: job ${id} dismissed$`, "m"));
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(await jobStatus(id!)).toBe("dismissed");
  });

  it("a failing item fails the job: one line `item_failed: …` and exit 1", async () => {
    const run = await polybridge(["run", "--kind", "map", "--function", "fail", "--items", "-", "--url", server.url, "--progress", "none"], { input: "[-1]" });
    expectOneLineFailure(run, 1, /^polybridge run: item_failed: fail: -1 \[item 0\] \[job \S+\]$/);
  });
});

describe("polybridge jobs", () => {
  it("list (--status, --limit, --cursor, --json), get, result", async () => {
    const first = await submit({ kind: "map", function: "square", input: { items: [1, 2, 3] } });
    const second = await submit({ kind: "fold", function: "sum", input: { range: { start: 0, end: 10 } } });
    await until(async () => (await jobStatus(first)) === "successful" && (await jobStatus(second)) === "successful");

    const page = await polybridge(["jobs", "list", "--status", "successful", "--limit", "1", "--url", server.url, "--json"]);
    const list = JSON.parse(page.stdout) as { jobs: Array<{ id: string; status: string }>; nextCursor: string | null };
    expect(list.jobs.map((j) => j.id)).toEqual([second]);
    expect(list.nextCursor).toBeTruthy();
    const next = await polybridge(["jobs", "list", "--status", "successful", "--limit", "1", "--cursor", list.nextCursor!, "--url", server.url, "--json"]);
    expect((JSON.parse(next.stdout) as typeof list).jobs.map((j) => j.id)).toEqual([first]);

    const table = await polybridge(["jobs", "list", "--limit", "2", "--url", server.url]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+STATUS\s+JOB\s+ITEMS\s+CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`^${second}\\s+successful\\s+fold sum\\s+10/10\\s+\\S+Z$`, "m"));
    expect(table.stderr).toMatch(/^more: polybridge jobs list --cursor \S+$/m);
    const empty = await polybridge(["jobs", "list", "--status", "accepted", "--url", server.url]);
    expect([empty.code, empty.stdout, empty.stderr]).toEqual([0, "", "no jobs\n"]);

    const get = await polybridge(["jobs", "get", first, "--url", server.url]);
    expect(get.stdout).toMatch(new RegExp(`^id\\s+${first}$`, "m"));
    expect(get.stdout).toMatch(/^status\s+successful$/m);
    expect(get.stdout).toMatch(/^progress\s+3\/3 items, 1\/1 chunks \(100%\)$/m);
    const getJson = await polybridge(["jobs", "get", first, "--url", server.url, "--json"]);
    expect(JSON.parse(getJson.stdout)).toMatchObject({ id: first, status: "successful", kind: "map" });

    const result = await polybridge(["jobs", "result", second, "--url", server.url]);
    expect([result.code, result.stdout]).toEqual([0, "45\n"]);
    const resultJson = await polybridge(["jobs", "result", first, "--url", server.url, "--json"]);
    expect(JSON.parse(resultJson.stdout)).toEqual({ kind: "map", items: [1, 4, 9] });

    expectOneLineFailure(await polybridge(["jobs", "get", "job_nope", "--url", server.url]), 1, /^polybridge jobs get: job_not_found: /);
  });

  it("cancel dismisses a running job (--json prints it); a finished job cannot be cancelled (exit 1)", async () => {
    const slow = await submit({ kind: "map", function: "sleep", input: { items: [10000, 10000] }, options: { chunkSize: 1 } });
    const cancel = await polybridge(["jobs", "cancel", slow, "--url", server.url]);
    expect([cancel.code, cancel.stdout]).toEqual([0, `job ${slow} dismissed\n`]);
    expect(await jobStatus(slow)).toBe("dismissed");
    const again = await polybridge(["jobs", "cancel", slow, "--url", server.url, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: slow, status: "dismissed" });
    expectOneLineFailure(await polybridge(["jobs", "result", slow, "--url", server.url]), 1, /^polybridge jobs result: job_dismissed: /);

    const done = await submit({ kind: "map", function: "square", input: { items: [1] } });
    await until(async () => (await jobStatus(done)) === "successful");
    expectOneLineFailure(await polybridge(["jobs", "cancel", done, "--url", server.url]), 1, /^polybridge jobs cancel: job_already_finished: /);
  });

  it("watch follows a running job to its result (lines without a terminal, --progress none, --json)", async () => {
    const id = await submit({ kind: "map", function: "sleep", input: { items: [200, 200, 200] }, options: { chunkSize: 1, concurrency: 1 } });
    const watch = await polybridge(["jobs", "watch", id, "--url", server.url, "--progress", "lines"]);
    expect(watch.code, watch.stderr).toBe(0);
    expect(JSON.parse(watch.stdout)).toEqual([200, 200, 200]);
    expect(watch.stderr).toMatch(new RegExp(`^job ${id}: map sleep over 3 items in 3 chunks$`, "m"));
    expect(watch.stderr).toMatch(new RegExp(`^job ${id} 3/3 items, 3/3 chunks \\(100%\\)$`, "m"));
    expect(watch.stderr).toMatch(new RegExp(`^job ${id} successful in`, "m"));
    const again = await polybridge(["jobs", "watch", id, "--url", server.url, "--progress", "none", "--json"]);
    expect([again.code, again.stderr, again.stdout]).toEqual([0, "", '{"kind":"map","items":[200,200,200]}\n']);

    const failing = await submit({ kind: "map", function: "fail", input: { items: [1, -1] } });
    expectOneLineFailure(await polybridge(["jobs", "watch", failing, "--url", server.url, "--progress", "none"]), 1, /^polybridge jobs watch: item_failed: fail: -1 \[item 1\]/);
  });

  it.skipIf(!hasScript)("watch on a terminal draws the bar", async () => {
    const id = await submit({ kind: "map", function: "sleep", input: { items: [150, 150, 150] }, options: { chunkSize: 1, concurrency: 1 } });
    const run = await inTerminal(["jobs", "watch", id, "--url", server.url]);
    expect(run.code, run.stdout).toBe(0);
    expect(plain(run.stdout)).toMatch(/\u2588{30} 100% \| 3\/3 items \| 3\/3 chunks \| successful/);
  });
});

describe("--url, --token and the environment", () => {
  it("every client command takes --token for a server started with tokens", async () => {
    const url = secured.url;
    expect((await polybridge(["call", "square", "3", "--url", url, "--token", TOKEN])).stdout).toBe("9\n");
    const run = await polybridge(["run", "--kind", "map", "--function", "square", "--range", "0:3", "--url", url, "--token", TOKEN, "--json"]);
    expect(JSON.parse(run.stdout)).toEqual({ kind: "map", items: [0, 1, 4] });
    const list = JSON.parse((await polybridge(["jobs", "list", "--url", url, "--token", TOKEN, "--json"])).stdout) as { jobs: Array<{ id: string }> };
    const id = list.jobs[0]!.id;
    expect((await polybridge(["jobs", "get", id, "--url", url, "--token", TOKEN])).stdout).toMatch(/^status\s+successful$/m);
    expect((await polybridge(["jobs", "result", id, "--url", url, "--token", TOKEN, "--json"])).stdout).toBe('{"kind":"map","items":[0,1,4]}\n');
    expect((await polybridge(["jobs", "watch", id, "--url", url, "--token", TOKEN, "--progress", "none", "--json"])).stdout).toBe('{"kind":"map","items":[0,1,4]}\n');
    const cancel = await polybridge(["jobs", "cancel", id, "--url", url, "--token", TOKEN]);
    expect(cancel.stderr).toMatch(/^polybridge jobs cancel: job_already_finished: /);

    expectOneLineFailure(await polybridge(["jobs", "list", "--url", url]), 1, /^polybridge jobs list: unauthorized: /);
    expectOneLineFailure(await polybridge(["call", "square", "3", "--url", url, "--token", "wrong"]), 1, /^polybridge call: unauthorized: /);
  });

  it("POLYBRIDGE_URL and POLYBRIDGE_TOKEN are the defaults of --url and --token; --help never shows the token", async () => {
    const env = { POLYBRIDGE_URL: secured.url, POLYBRIDGE_TOKEN: TOKEN };
    expect((await polybridge(["call", "square", "4"], { env })).stdout).toBe("16\n");
    const help = await polybridge(["call", "--help"], { env });
    expect(help.stdout).toContain("POLYBRIDGE_TOKEN");
    expect(help.stdout).not.toContain(TOKEN);
  });
});

describe("exit codes", () => {
  it("2 for usage: a bad flag, a missing argument, bad JSON, a bad range or input choice", async () => {
    await writeFile(join(work, "not-json.txt"), "[1, 2\n");
    const cases: Array<[string[], RegExp]> = [
      [["run", "--kind", "map", "--function", "square", "--range", "0:3", "--bogus"], /^polybridge run: unknown option '--bogus'/],
      [["run", "--kind", "reduce", "--function", "sum", "--range", "0:3"], /^polybridge run: option '--kind <kind>' argument 'reduce' is invalid/],
      [["run", "--function", "square", "--range", "0:3"], /^polybridge run: required option '--kind <kind>' not specified$/],
      [["run", "--kind", "map", "--function", "square"], /^polybridge run: give the input as exactly one of --range START:END\[:STEP\] or --items FILE\|-$/],
      [["run", "--kind", "map", "--function", "square", "--range", "0:3", "--items", "-"], /^polybridge run: give the input as exactly one of/],
      [["run", "--kind", "map", "--function", "square", "--range", "0:3:0"], /^polybridge run: --range 0:3:0: the step cannot be 0$/],
      [["run", "--kind", "map", "--function", "square", "--range", "a:b"], /^polybridge run: --range a:b: expected START:END\[:STEP\]/],
      [["run", "--kind", "mapreduce", "--function", "tokenize", "--range", "0:3"], /^polybridge run: --kind mapreduce needs --reducer NAME$/],
      [["run", "--kind", "fold", "--function", "sum", "--reducer", "sum", "--range", "0:3"], /^polybridge run: --reducer is only for --kind mapreduce \(not fold\)$/],
      [["run", "--kind", "map", "--function", "square", "--items", "missing.json"], /^polybridge run: --items missing\.json: no such file$/],
      [["run", "--kind", "map", "--function", "square", "--items", "not-json.txt"], /^polybridge run: --items not-json\.txt is not JSON/],
      [["run", "--kind", "map", "--function", "square", "--range", "0:3", "--chunk-size", "0"], /^polybridge run: option '--chunk-size <n>' argument '0' is invalid/],
      [["run", "--kind", "map", "--function", "square", "--range", "0:3", "--progress", "fancy"], /^polybridge run: option '--progress <mode>' argument 'fancy' is invalid/],
      [["call", "square"], /^polybridge call: missing required argument 'json'$/],
      [["call", "square", "nope"], /^polybridge call: the input is not JSON/],
      [["call", "square", "1", "--url", "ftp://example.com"], /^polybridge call: --url ftp:\/\/example\.com: use an http or https URL$/],
      [["jobs", "list", "--limit", "101"], /^polybridge jobs list: option '--limit <n>' argument '101' is invalid\. expected an integer <= 100$/],
      [["jobs", "list", "--status", "done"], /^polybridge jobs list: option '--status <status>' argument 'done' is invalid/],
      [["jobs", "get"], /^polybridge jobs get: missing required argument 'id'$/],
      [["jobs", "nope"], /^polybridge jobs: unknown command 'nope'/],
    ];
    for (const [args, pattern] of cases) {
      const run = await polybridge(args);
      expect(() => expectOneLineFailure(run, 2, pattern), `polybridge ${args.join(" ")}`).not.toThrow();
    }
    const bare = await polybridge(["jobs"]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("Usage: polybridge jobs");
  });

  it("3 when nobody listens: call, run, jobs (connection refused)", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [["call", "square", "2"], ["run", "--kind", "fold", "--function", "sum", "--range", "0:3"], ["jobs", "list"], ["jobs", "watch", "job_x"]]) {
      const run = await polybridge([...args, "--url", url]);
      expect(() => expectOneLineFailure(run, 3, new RegExp(`^polybridge ${args[0]}.*: network: cannot reach ${url} \\(ECONNREFUSED\\)$`)), args.join(" ")).not.toThrow();
    }
  });
});

describe("coverage of --help and the READMEs", () => {
  const readme = (file: string): Promise<string> => readFile(join(root, file), "utf8");

  it.each(CLIENT_COMMANDS.map((c) => [c.join(" "), c] as const))("`polybridge %s --help` shows its usage, flags and exit codes", async (_name, command) => {
    const run = await polybridge([...command, "--help"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Usage: polybridge ${command.join(" ")}`);
    expect(run.stdout).toContain("3 server");
    expect((await polybridge([...command, "-h"])).stdout).toBe(run.stdout);
  });

  it("`polybridge --help` lists call, run and jobs", async () => {
    const run = await polybridge(["--help"]);
    for (const command of ["call", "run", "jobs"]) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
  });

  it("defining the client commands loads neither the SDK nor cli-progress; running one loads both", async () => {
    const hook = ["--import", pathToFileURL(join(root, "test", "fixtures", "moduleLog", "register.mjs")).href];
    const loaded = async (args: string[], name: string): Promise<string[]> => {
      const log = join(work, `modules-${name}.log`);
      const run = await polybridge(args, { nodeArgs: hook, env: { PB_MODULE_LOG: log } });
      expect(run.code, run.stderr).toBe(0);
      return (await readFile(log, "utf8")).split("\n").filter(Boolean);
    };
    const CLIENT = /\/sdk\/dist\/|\/node_modules\/(@polybridge\/sdk|undici|cli-progress)\//;
    const SERVER = /\/node_modules\/fastify\/|\/server\/dist\//;
    const help = await loaded(["run", "--help"], "run-help");
    expect(help.length).toBeGreaterThan(3);
    expect(help.filter((url) => CLIENT.test(url) || SERVER.test(url))).toEqual([]);
    const call = await loaded(["call", "square", "2", "--url", server.url], "call");
    expect(call.some((url) => /\/sdk\/dist\/|@polybridge\/sdk/.test(url))).toBe(true);
    expect(call.some((url) => /cli-progress/.test(url))).toBe(true);
    expect(call.filter((url) => SERVER.test(url))).toEqual([]);
  });

  it("runs the README's CLI client block as written against a server", async () => {
    const text = await readme("README.md");
    const block = /^## CLI client\n[\s\S]*?```sh\n([\s\S]*?)```/m.exec(text)?.[1];
    expect(block, "README.md has a CLI client sh block").toBeTruthy();
    const script = `set -euo pipefail\npolybridge() { "${process.execPath}" "${bin}" "$@"; }\n${block}`;
    const run = await new Promise<Run>((resolve, reject) => {
      const child = spawn("bash", ["-c", script], { cwd: work, env: childEnv({ POLYBRIDGE_URL: server.url }), stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^144$/m);
    expect(run.stdout).toMatch(/^78498$/m);
    expect(run.stdout).toMatch(/^the {2}2$/m);
    expect(run.stderr).toMatch(/^job \S+ successful in/m);
  }, 120_000);

  it("every flag of each client command's --help is run in this file; README commands use only those flags", async () => {
    const runs = [...ran];
    const flags = new Map<string, { long: Set<string>; short: Map<string, string> }>();
    for (const command of CLIENT_COMMANDS) {
      const { stdout } = await polybridge([...command, "--help"]);
      const options = stdout.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? "";
      const long = new Set<string>();
      const short = new Map<string, string>();
      for (const match of options.matchAll(/^\s+(?:(-\w), )?(--[a-z][a-z-]*)/gm)) {
        long.add(match[2]!);
        if (match[1]) short.set(match[1], match[2]!);
      }
      flags.set(command.join(" "), { long, short });
    }
    const commandOf = (args: readonly string[]): string | undefined => {
      const line = args.join(" ");
      return [...flags.keys()].find((name) => line === name || line.startsWith(`${name} `));
    };
    const used = new Map<string, Set<string>>();
    for (const args of runs) {
      const command = commandOf(args);
      if (!command) continue;
      const set = used.get(command) ?? new Set<string>();
      for (const arg of args) if (arg.startsWith("-") && arg !== "-") set.add(flags.get(command)!.short.get(arg) ?? arg.split("=")[0]!);
      used.set(command, set);
    }
    const notRun: string[] = [];
    for (const [command, { long }] of flags) for (const flag of long) if (!used.get(command)?.has(flag)) notRun.push(`polybridge ${command} ${flag}`);
    expect(notRun).toEqual([]);

    const wrong: string[] = [];
    let documented = 0;
    const files = ["README.md", "cli/README.md"];
    const helpTexts = await Promise.all(CLIENT_COMMANDS.map(async (c) => (await polybridge([...c, "--help"])).stdout));
    const sources = [...(await Promise.all(files.map(async (f) => [f, await readme(f)] as const))), ...helpTexts.map((t, i) => [`--help ${i}`, t] as const)];
    for (const [file, text] of sources) {
      for (const line of text.split("\n")) {
        for (const match of line.matchAll(/(?:npx @polybridge\/cli|(?<![\w/@-])polybridge) (call|run|jobs (?:list|get|result|cancel|watch))\b([^`|#]*)/g)) {
          const command = match[1]!;
          documented++;
          for (const flag of match[2]!.matchAll(/(?:^|[\s[])(--[a-z][a-z-]*)/g)) {
            if (!flags.get(command)?.long.has(flag[1]!)) wrong.push(`${file}: polybridge ${command} ${flag[1]} is not a flag of the command`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(documented).toBeGreaterThan(10);
  }, 120_000);
});
