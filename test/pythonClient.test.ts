// `polybridge generate functions --lang python` as a Python front end uses it: the real binary, in a
// fresh folder, generates compute_client.py from the reference server (also `polybridge serve`) and
// from the Python and Erlang skeletons (made by `polybridge new`); each module passes Debian's mypy in
// strict mode; a script using every feature runs against each stack with the module generated from
// it; and codegen/README.md's example type-checks and prints what the README says.
import { spawnSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand, startServerProcess, type Finished, type ServerProcess } from "./helpers/serverProcess.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = join(root, "cli", "bin", "polybridge.js");
const scripts = join(root, "codegen", "test", "python");
const PYTHON = "/usr/bin/python3";
const TOKEN = "python-client-token";

let work = "";

beforeAll(async () => {
  // Debian's mypy for /usr/bin/python3, and Erlang for the skeleton: no-ops when present.
  for (const script of ["ensure-mypy.sh", "ensure-erlang.sh"]) {
    const ensured = await runCommand("bash", [join(root, "scripts", script)], { cwd: root, timeoutMs: 600_000 });
    expect(ensured.code, ensured.output).toBe(0);
  }
  work = await mkdtemp(join(tmpdir(), "polybridge-pyclient-"));
}, 1_220_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const polybridge = (args: string[], cwd: string, timeoutMs = 90_000): Promise<Finished> =>
  runCommand(process.execPath, [bin, ...args], { cwd, timeoutMs });

/** `generate functions --lang python` into `dir`, then `--check`; returns the module's text. */
async function generateModule(url: string, dir: string): Promise<string> {
  const run = await polybridge(["generate", "functions", "--from", url, "--lang", "python", "--out", "compute_client.py"], dir);
  expect(run.code, run.output).toBe(0);
  expect(run.stdout).toContain("wrote compute_client.py");
  const check = await polybridge(["generate", "functions", "--from", url, "--lang", "python", "--out", "compute_client.py", "--check"], dir);
  expect([check.code, check.stdout.trim()], check.output).toEqual([0, "generated code is up to date"]);
  for (const script of ["use_client.py", "typing_errors.py"]) await copyFile(join(scripts, script), join(dir, script));
  return readFile(join(dir, "compute_client.py"), "utf8");
}

/** mypy --strict on files in `dir`, for Python 3.8 and for the interpreter's own version. */
async function expectMypyClean(dir: string, files: string[]): Promise<void> {
  for (const version of [["--python-version", "3.8"], []]) {
    const mypy = await runCommand(PYTHON, ["-m", "mypy", "--strict", "--no-incremental", ...version, ...files], { cwd: dir, timeoutMs: 180_000 });
    expect(mypy.code, mypy.output).toBe(0);
    expect(mypy.stdout).toMatch(/^Success: no issues found in \d+ source files?$/m);
  }
}

interface Problem {
  status: number | null;
  code: string;
  detail: string;
  errors: { path: string; message: string }[];
  itemIndex: number | null;
  jobId: string | null;
}

/** Runs use_client.py against `url` and checks what a user of the module sees. */
async function expectClientWorks(dir: string, url: string, token?: string): Promise<void> {
  const run = await runCommand(PYTHON, ["use_client.py", url, ...(token ? [token] : [])], { cwd: dir, env: { PYTHONDONTWRITEBYTECODE: "1" }, timeoutMs: 120_000 });
  expect(run.code, run.output).toBe(0);
  const seen = JSON.parse(run.stdout) as Record<string, Record<string, unknown>>;
  expect(seen.calls).toEqual({ square: 144, sum: 3, tokenize: [["a", 1], ["b", 1], ["a", 1]], tokenizeTuples: true, echo: { a: [1, null] } });

  const jobs = seen.jobs as { progress: number[]; totalItems: number[] };
  expect(jobs).toMatchObject({ map: [1, 4, 9], filter: [0, 2, 4, 6, 8], fold: 5050, mapreduce: [["a", 2], ["b", 2], ["c", 1]] });
  expect(jobs.progress.length).toBeGreaterThan(0);
  expect(jobs.progress).toEqual([...jobs.progress].sort((a, b) => a - b)); // never decreases
  expect(jobs.progress.at(-1)).toBe(3);
  expect(new Set(jobs.totalItems)).toEqual(new Set([3]));

  const events = seen.events as { names: string[]; ids: (string | null)[] };
  expect(events).toMatchObject({ result: [16, 25], status: "successful" });
  expect(events.names[0]).toBe("status");
  expect(events.names.slice(-2)).toEqual(["result", "status"]);
  expect(events.names).toContain("progress");
  expect(events.ids.every((id) => id !== null && /^\d+$/.test(id))).toBe(true); // streamed, not polled
  expect(seen.wait).toEqual({ status: "successful", result: 6 });
  expect(seen.idempotency).toEqual({ sameJob: true, replayed: [false, true], result: [36] });

  const cancel = seen.cancel as { names: string[]; result: Problem };
  expect(cancel).toMatchObject({ cancelAnswer: "dismissed", errorCodes: ["job_cancelled"], final: "dismissed", again: "dismissed" });
  expect(cancel.names.slice(-2)).toEqual(["error", "status"]);
  expect(cancel.result).toMatchObject({ status: 409, code: "job_cancelled" });

  const problems = seen.problems as Record<string, Problem>;
  expect(problems.fail).toMatchObject({ status: 422, code: "function_failed", detail: 'fail: "boom"', errors: [] });
  expect(problems.invalid).toMatchObject({ status: 400, code: "validation_failed" });
  expect(problems.invalid!.errors.map((e) => e.path)).toContain("/input");
  expect(problems.item).toMatchObject({ status: 422, code: "item_failed", detail: "fail: -1", itemIndex: 1 });
  expect(problems.item!.jobId).toMatch(/\S/);
  expect(problems.unknown).toMatchObject({ status: 404, code: "function_not_found" });
  expect(problems.timeout).toMatchObject({ status: null, code: "timeout" });
  expect(problems.callTimeout).toMatchObject({ status: 504, code: "call_timeout" });
  expect(problems.network).toMatchObject({ status: null, code: "network" });

  expect(seen.runTimeout).toMatchObject({ problem: { status: null, code: "timeout" }, jobStatus: "dismissed" });

  const proxy = seen.proxy as { polledNames: string[]; polledIds: unknown[] };
  // The submit met a 503 + Retry-After and was retried (with its Idempotency-Key); the call was not.
  expect(proxy).toMatchObject({ submitStatuses: [503, 202], callStatuses: [503], notRetried: { status: 503, code: "queue_full" } });
  expect(proxy).toMatchObject({ healthStatuses: [503, 200], health: "ok" }); // a GET is retried
  // No event stream through that proxy: the same events, from polling, without ids.
  expect(proxy).toMatchObject({ polledResult: [400, 400, 400, 400, 400], pollingFallback: ["progress", "result", "status"] });
  expect(proxy).toMatchObject({ bodyContentTypes: ["application/json"] });
  expect(proxy.polledNames.slice(-2)).toEqual(["result", "status"]);
  expect(proxy.polledNames).toContain("progress");
  expect(proxy.polledIds.every((id) => id === null)).toBe(true);

  // A stream cut after two events is resumed with Last-Event-ID: nothing repeated, the end reached.
  const resume = seen.resume as { names: string[]; ids: string[]; lastEventIds: (string | null)[] };
  expect(resume.lastEventIds).toEqual([null, "2"]);
  expect(resume.ids.slice(0, 2)).toEqual(["1", "2"]);
  expect(resume.ids.map(Number)).toEqual([...new Set(resume.ids.map(Number))].sort((a, b) => a - b));
  expect(resume.names.slice(-2)).toEqual(["result", "status"]);

  if (token) {
    expect(seen.auth).toMatchObject({ without: { status: 401, code: "unauthorized" }, wrong: { status: 401, code: "unauthorized" }, callable: 25, asked: 1 });
  }
}

describe("against the reference server (polybridge serve)", () => {
  let server: ServerProcess | undefined;
  let dir = "";
  let module = "";

  beforeAll(async () => {
    dir = join(work, "reference");
    await mkdir(dir, { recursive: true });
    server = await startServerProcess(process.execPath, [bin, "serve", "--port", "0", "--workers", "2"], { cwd: dir, timeoutMs: 60_000 });
    module = await generateModule(server.url, dir);
  }, 200_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("writes one module with a do-not-edit header, standard-library imports, a method per function and typed jobs", () => {
    expect(module.split("\n")[0]).toBe("# @generated by polybridge codegen from the function catalogue (GET /v1/functions) — do not edit");
    expect(module).toMatch(/^from __future__ import annotations$/m);
    // Standard library only: every module it imports is one of the interpreter's own.
    const imports = [...new Set([...module.matchAll(/^(?:import|from) ([\w.]+)/gm)].map((m) => m[1]!.split(".")[0]!))];
    expect(imports).toContain("urllib");
    const stdlib = spawnSync(PYTHON, ["-c", "import sys; print(' '.join(m for m in sys.argv[1:] if m not in sys.stdlib_module_names))", ...imports], { encoding: "utf8" });
    expect([stdlib.status, stdlib.stdout.trim()], stdlib.stderr).toEqual([0, ""]);
    for (const method of ["square", "is_even", "is_prime", "count_primes", "sha256", "sum", "tokenize", "word_frequency", "echo", "fail", "sleep"]) {
      expect(module).toMatch(new RegExp(`^    def ${method}\\(\\s*self,`, "m"));
    }
    expect(module).toMatch(/^class Sha256Input\(_Sha256InputRequired, total=False\):$/m);
    expect(module).toContain('    def run(\n        self,\n        kind: Literal["fold"],\n        function: Literal["countPrimes"],\n        items: Union[Sequence[int], range],\n');
  });

  it("passes mypy --strict, with the script, the README example and the calls it must refuse", async () => {
    const readme = await readFile(join(root, "codegen", "README.md"), "utf8");
    const example = /```python\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    await writeFile(join(dir, "readme_example.py"), example!);
    await expectMypyClean(dir, ["compute_client.py", "use_client.py", "readme_example.py", "typing_errors.py"]);
  }, 400_000);

  it("runs the README example as documented", async () => {
    const readme = await readFile(join(root, "codegen", "README.md"), "utf8");
    const expected = /Prints \(progress lines vary\):\n\n```\n([\s\S]*?)```/.exec(readme)?.[1]?.trim().split("\n") ?? [];
    const run = await runCommand(PYTHON, ["readme_example.py"], { cwd: dir, env: { POLYBRIDGE_URL: server!.url, PYTHONDONTWRITEBYTECODE: "1" }, timeoutMs: 60_000 });
    expect(run.code, run.output).toBe(0);
    const lines = run.stdout.trim().split("\n");
    const progress = lines.filter((l) => l.startsWith("progress "));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe("progress 10000/10000");
    expect(lines.filter((l) => !l.startsWith("progress "))).toEqual(expected.filter((l) => !l.startsWith("progress ") && l !== "…"));
  }, 70_000);

  it("calls, runs each job kind, follows progress, cancels and raises ProblemError", async () => {
    await expectClientWorks(dir, server!.url);
  }, 130_000);

  it("sends the bearer token to a server that wants one", async () => {
    const authed = await startServerProcess(process.execPath, [bin, "serve", "--port", "0", "--workers", "1", "--auth-token", TOKEN], { cwd: dir, timeoutMs: 60_000 });
    try {
      await expectClientWorks(dir, authed.url, TOKEN);
    } finally {
      expect(await authed.stop()).toBe(0);
    }
  }, 200_000);
});

interface Skeleton {
  lang: "python" | "erlang";
  command: string;
  env: NodeJS.ProcessEnv;
  /** Sent by the client when the skeleton runs with tokens. */
  token: string | undefined;
  startMs: number;
}

const SKELETONS: Skeleton[] = [
  // Tokens on, the catalogue left open so the generator can read it without one.
  {
    lang: "python",
    command: "python3 server.py",
    env: { POLYBRIDGE_AUTH_TOKENS: TOKEN, POLYBRIDGE_AUTH_TOKENS_FILE: "", POLYBRIDGE_AUTH_OPEN: "health,catalogue", PYTHONDONTWRITEBYTECODE: "1" },
    token: TOKEN,
    startMs: 40_000,
  },
  // bin/start builds with make first; the VM then takes a few seconds to boot.
  { lang: "erlang", command: "bin/start", env: { POLYBRIDGE_AUTH_TOKENS: "", POLYBRIDGE_AUTH_TOKENS_FILE: "" }, token: undefined, startMs: 120_000 },
];

describe.each(SKELETONS)("against the $lang skeleton (polybridge new --lang $lang)", (skeleton) => {
  let server: ServerProcess | undefined;
  let dir = "";

  beforeAll(async () => {
    const made = await polybridge(["new", `${skeleton.lang}-server`, "--lang", skeleton.lang], work);
    expect(made.code, made.output).toBe(0);
    const [command, ...args] = skeleton.command.split(" ");
    server = await startServerProcess(command!, [...args, "--port", "0"], { cwd: join(work, `${skeleton.lang}-server`), env: skeleton.env, timeoutMs: skeleton.startMs });
    dir = join(work, `${skeleton.lang}-client`);
    await mkdir(dir, { recursive: true });
    await generateModule(server.url, dir);
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("generates a module that passes mypy --strict", async () => {
    await expectMypyClean(dir, ["compute_client.py"]);
  }, 400_000);

  it("calls, runs each job kind, follows progress, cancels and raises ProblemError", async () => {
    await expectClientWorks(dir, server!.url, skeleton.token);
  }, 130_000);
});
