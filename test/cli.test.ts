// The `polybridge` binary (@polybridge/cli) as users type it: every command and flag that its
// `--help` or any README shows is run here through the real bin, in a spawned node process,
// from a fresh folder outside the checkout. The last test checks that coverage: each flag in
// each command's `--help` was run, and each `polybridge <command> --flag` in a README is one of
// them.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse, stringify } from "yaml";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./helpers/serverProcess.js";
import { startRedis } from "./helpers/startRedis.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = join(root, "cli", "bin", "polybridge.js");
const petstore = join(root, "codegen", "test", "fixtures", "petstore-expanded.yaml");
const cubeModule = join(root, "test", "fixtures", "cubeFunctions.mjs");
const moduleLogHook = pathToFileURL(join(root, "test", "fixtures", "moduleLog", "register.mjs")).href;
const cliVersion = (JSON.parse(await readFile(join(root, "cli", "package.json"), "utf8")) as { version: string }).version;
const serverVersion = (JSON.parse(await readFile(join(root, "server", "package.json"), "utf8")) as { version: string }).version;

/** Every argument list given to the binary in this file (the coverage test reads it). */
const ran: string[][] = [];
let work = "";

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "polybridge-cli-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  nodeArgs?: string[];
  timeoutMs?: number;
}

/** `node cli/bin/polybridge.js ...args` in `cwd` (default: the fresh work folder), to completion. */
function polybridge(args: string[], options: RunOptions = {}): Promise<Run> {
  ran.push(args);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
      cwd: options.cwd ?? work,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running command (serve, worker) until its listening line. */
function startPolybridge(args: string[], options: RunOptions & { ready?: RegExp } = {}): Promise<ServerProcess> {
  ran.push(args);
  return startServerProcess(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
    cwd: options.cwd ?? work,
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.env ? { env: options.env } : {}),
  });
}

/** `polybridge worker …` until it says it takes chunks; `stop()` sends SIGTERM and gives the exit code. */
function startWorker(args: string[]): Promise<{ stop(): Promise<number | null>; output(): string }> {
  ran.push(args);
  const child = spawn(process.execPath, [bin, ...args], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker not ready in 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (!output.includes("polybridge worker taking chunks from")) return;
      clearTimeout(timer);
      resolve({
        stop: () => {
          child.kill("SIGTERM");
          return exit;
        },
        output: () => output,
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited ${code}:\n${output}`));
    });
  });
}

/** Exit 2, nothing on stdout, exactly one line on stderr matching `pattern`, no stack trace. */
function expectOneLineError(run: Run, pattern: RegExp): void {
  const detail = `stdout: ${run.stdout}\nstderr: ${run.stderr}`;
  expect(run.code, detail).toBe(2);
  expect(run.stdout, detail).toBe("");
  expect(run.stderr.endsWith("\n"), detail).toBe(true);
  expect(run.stderr.trimEnd().split("\n"), detail).toHaveLength(1);
  expect(run.stderr, detail).not.toMatch(/\bat .*:\d+:\d+/);
  expect(run.stderr, detail).toMatch(pattern);
}

/** A folder of its own under the work folder. */
async function folder(name: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Serves files from memory on 127.0.0.1 (404 for anything else). */
async function serveFiles(files: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const body = files[req.url ?? ""];
    if (body === undefined) res.writeHead(404).end("not found");
    else res.writeHead(200, { "content-type": "application/yaml" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The module URLs a command resolved (module loader hook), for "what does it load" checks. */
async function loadedBy(args: string[]): Promise<{ run: Run; modules: string[] }> {
  const log = join(work, `modules-${ran.length}.log`);
  const run = await polybridge(args, { nodeArgs: ["--import", moduleLogHook], env: { PB_MODULE_LOG: log } });
  const modules = (await readFile(log, "utf8").catch(() => "")).split("\n").filter(Boolean);
  return { run, modules };
}

const FASTIFY = /\/node_modules\/fastify\//;
const SERVER = /\/server\/dist\/|\/node_modules\/@polybridge\/server\//;
const TYPESCRIPT = /\/node_modules\/(typescript|openapi-typescript)\//;
const CODEGEN = /\/codegen\/dist\/|\/node_modules\/@polybridge\/codegen\//;

const COMMANDS = [["serve"], ["worker"], ["generate"], ["generate", "functions"], ["generate", "server"], ["new"], ["conformance"]] as const;

describe("help and version", () => {
  it.each([["--help"], ["-h"], ["help"]])("`polybridge %s` lists every command", async (flag) => {
    const run = await polybridge([flag]);
    expect(run.code, run.stderr).toBe(0);
    for (const command of ["serve", "worker", "generate", "new", "conformance"]) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
  });

  it.each([["--version"], ["-V"]])("`polybridge %s` prints the package version", async (flag) => {
    const run = await polybridge([flag]);
    expect([run.code, run.stdout.trim()]).toEqual([0, cliVersion]);
  });

  it.each(COMMANDS.map((command) => [command.join(" "), command] as const))("`polybridge %s --help` shows its usage", async (_name, command) => {
    const run = await polybridge([...command, "--help"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Usage: polybridge ${command.join(" ")}`);
    expect((await polybridge([...command, "-h"])).stdout).toBe(run.stdout);
  });

  it("`polybridge help generate` is `generate --help`", async () => {
    const [viaHelp, viaFlag] = await Promise.all([polybridge(["help", "generate"]), polybridge(["generate", "--help"])]);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  it("`polybridge` alone prints its usage on stderr and exits 2", async () => {
    const run = await polybridge([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage: polybridge");
  });
});

describe("polybridge generate", () => {
  it.each([[[]], [["--check"]]])("without --spec and --out (%j) prints usage, writes nothing and exits 2", async (args) => {
    const dir = await folder(`gen-usage-${args.length}`);
    const run = await polybridge(["generate", ...args], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("Usage: polybridge generate --spec <file|url> --out <dir>");
    expect(await readdir(dir)).toEqual([]);
  });

  it("with a spec file writes the four files; --check passes, then names a changed file and exits 1", async () => {
    const dir = await folder("gen-file");
    const run = await polybridge(["generate", "--spec", petstore, "--out", "src/gen"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect((await readdir(join(dir, "src", "gen"))).sort()).toEqual(["enums.ts", "operations.ts", "schemas.ts", "types.ts"]);
    const check = await polybridge(["generate", "--spec", petstore, "--out", "src/gen", "--check"], { cwd: dir });
    expect([check.code, check.stdout.trim()]).toEqual([0, "generated code is up to date"]);
    await writeFile(join(dir, "src", "gen", "types.ts"), "// edited\n");
    const drift = await polybridge(["generate", "--spec", petstore, "--out", "src/gen", "--check"], { cwd: dir });
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain("src/gen/types.ts");
  });

  it("reads --spec from an http URL", async () => {
    const files = await serveFiles({ "/openapi.yaml": await readFile(petstore, "utf8") });
    try {
      const dir = await folder("gen-url");
      const run = await polybridge(["generate", "--spec", `${files.url}/openapi.yaml`, "--out", "gen"], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      expect(await readFile(join(dir, "gen", "types.ts"), "utf8")).toContain(`${files.url}/openapi.yaml`);
      const check = await polybridge(["generate", "--spec", `${files.url}/openapi.yaml`, "--out", "gen", "--check"], { cwd: dir });
      expect(check.code, check.stderr).toBe(0);
    } finally {
      await files.close();
    }
  });

  it("runs the examples of generate --help as printed, one after another in a fresh folder, and each --check then passes", async () => {
    const help = await polybridge(["generate", "--help"]);
    const examples = help.stdout.slice(help.stdout.indexOf("Examples:")).split("\n").map((line) => line.trim()).filter((line) => line.startsWith("polybridge generate "));
    expect(examples.length).toBeGreaterThanOrEqual(4);
    const server = await startServer({ port: 0, workers: 1 });
    try {
      const dir = await folder("gen-help-examples");
      // The examples name a spec file of the user's and a server on 8080: here, this server's own.
      await writeFile(join(dir, "openapi.yaml"), await (await fetch(`${server.url}/v1/openapi.yaml`)).text());
      const argsOf = (line: string): string[] => line.replaceAll("http://127.0.0.1:8080", server.url).split(/\s+/).slice(1);
      for (const line of examples) {
        const run = await polybridge(argsOf(line), { cwd: dir });
        expect(run.code, `${line}\n${run.stderr}`).toBe(0);
      }
      // Generators sharing src/gen leave each other's files alone: every output is still there and current.
      for (const line of examples.filter((l) => !l.endsWith("--check"))) {
        const check = await polybridge([...argsOf(line), "--check"], { cwd: dir });
        expect(check.code, `${line} --check\n${check.stderr}`).toBe(0);
      }
      expect((await readdir(join(dir, "src", "gen"))).sort()).toEqual([
        "enums.ts", "functions.ts", "msw.ts", "mswControls.ts", "mswMatches.ts", "mswPattern.ts", "mswRandom.ts", "mswRuntime.ts", "mswSample.ts",
        "operations.ts", "routes.ts", "schemas.ts", "types.ts",
      ]);
    } finally {
      await server.close(1_000);
    }
  }, 240_000);

  it("refuses half the options in one line", async () => {
    expectOneLineError(await polybridge(["generate", "--spec", petstore]), /^polybridge generate: give both --spec and --out/);
    expectOneLineError(await polybridge(["generate", "--out", "x"]), /^polybridge generate: give both --spec and --out/);
  });

  it("reports each kind of bad input as one line and exit 2", async () => {
    const dir = await folder("gen-errors");
    await writeFile(join(dir, "broken.yaml"), "openapi: 3.1.0\ninfo: [\n  title: x\n");
    await writeFile(join(dir, "swagger.yaml"), "swagger: '2.0'\ninfo: { title: x, version: '1' }\npaths: {}\n");
    await writeFile(join(dir, "bad-ref.yaml"), stringify({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: { "/a": { get: { operationId: "getA", responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Missing" } } } } } } } },
    }));
    await mkdir(join(dir, "adir"));
    const port = await closedPort();
    const files = await serveFiles({});
    try {
      const cases: Array<[string[], RegExp]> = [
        [["generate", "--spec", "missing.yaml", "--out", "gen"], /^polybridge generate: missing\.yaml: no such file$/m],
        [["generate", "--spec", "adir", "--out", "gen"], /^polybridge generate: adir: is a directory/],
        [["generate", "--spec", "broken.yaml", "--out", "gen"], /^polybridge generate: broken\.yaml: not valid YAML or JSON \(.+\)$/m],
        [["generate", "--spec", "swagger.yaml", "--out", "gen"], /^polybridge generate: swagger\.yaml: only OpenAPI 3\.0 and 3\.1/],
        [["generate", "--spec", "bad-ref.yaml", "--out", "gen"], /^polybridge generate: bad-ref\.yaml: unresolvable \$ref #\/components\/schemas\/Missing$/m],
        [["generate", "--spec", `http://127.0.0.1:${port}/openapi.yaml`, "--out", "gen"], /^polybridge generate: cannot fetch http:\/\/127\.0\.0\.1:\d+\/openapi\.yaml: ECONNREFUSED$/m],
        [["generate", "--spec", `${files.url}/nope.yaml`, "--out", "gen"], /^polybridge generate: cannot fetch .*\/nope\.yaml: HTTP 404$/m],
        [["generate", "--spec", petstore, "--out", "gen", "--bogus"], /^polybridge generate: unknown option '--bogus'/],
        [["generate", "stuff"], /^polybridge generate: too many arguments/],
        [["generate", "functions", "--out", "f.ts"], /^polybridge generate functions: required option '--from <url\|file>' not specified$/m],
        [["generate", "functions", "--from", "missing.json", "--out", "f.ts"], /^polybridge generate functions: missing\.json: no such file$/m],
        [["generate", "functions", "--from", "broken.yaml", "--out", "f.ts"], /^polybridge generate functions: broken\.yaml: not JSON/],
        [["generate", "functions", "--from", `http://127.0.0.1:${port}`, "--out", "f.ts"], /^polybridge generate functions: cannot fetch .*: ECONNREFUSED$/m],
        [["generate", "functions", "--from", "missing.json", "--lang", "cobol", "--out", "f.py"], /^polybridge generate functions: option '--lang <lang>' argument 'cobol' is invalid\. Allowed choices are ts, python\.$/m],
        [["generate", "server", "--spec", "missing.yaml", "--out", "."], /^polybridge generate server: missing\.yaml: no such file$/m],
        [["generate", "server", "--spec", "broken.yaml", "--out", "."], /^polybridge generate server: broken\.yaml: not valid YAML or JSON/],
        [["bogus"], /^polybridge: unknown command 'bogus'$/m],
        [["serv"], /^polybridge: unknown command 'serv' \(Did you mean serve\?\)$/m],
        [["serve", "--port", "nope"], /^polybridge serve: option '-p, --port <port>' argument 'nope' is invalid\. expected an integer >= 0$/m],
        [["serve", "--port", "0", "--auth-open", "everything"], /^polybridge serve: unknown open group\(s\) everything/],
        [["serve", "--port", "0", "--log-level", "loud"], /^polybridge serve: option '--log-level <level>' argument 'loud' is invalid\. expected one of fatal, error, warn, info, debug, trace, silent$/m],
        [["serve", "--port", "0", "--workers", "1", "--functions", "missing.mjs"], /^polybridge serve: /],
        [["worker"], /^polybridge worker: required option '--redis <url>' not specified$/m],
        [["conformance"], /^polybridge conformance: required option '--url <url>' not specified$/m],
        [["conformance", "--url", "http://127.0.0.1:1", "--client", "carrier-pigeon"], /^polybridge conformance: option '--client <client>' argument 'carrier-pigeon' is invalid/],
      ];
      for (const [args, pattern] of cases) {
        const run = await polybridge(args, { cwd: dir });
        expect(() => expectOneLineError(run, pattern), `polybridge ${args.join(" ")}`).not.toThrow();
      }
      expect(await readdir(dir)).not.toContain("gen");
    } finally {
      await files.close();
    }
  }, 240_000); // 23 spawns one after another: minutes on a loaded 2-core machine
});

describe("polybridge generate functions and generate server", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, workers: 1 });
  });
  afterAll(() => server.close(1_000));

  it("`generate functions --from URL --out FILE` types the catalogue; --check passes; a saved catalogue works too", async () => {
    const dir = await folder("functions");
    const run = await polybridge(["generate", "functions", "--from", server.url, "--out", "src/gen/functions.ts"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const typed = await readFile(join(dir, "src", "gen", "functions.ts"), "utf8");
    expect(typed).toMatch(/square/);
    const check = await polybridge(["generate", "functions", "--from", server.url, "--out", "src/gen/functions.ts", "--check"], { cwd: dir });
    expect(check.code, check.stderr).toBe(0);
    await writeFile(join(dir, "catalogue.json"), await (await fetch(`${server.url}/v1/functions`)).text());
    const saved = await polybridge(["generate", "functions", "--from", "catalogue.json", "--out", "saved/functions.ts"], { cwd: dir });
    expect(saved.code, saved.stderr).toBe(0);
    expect(await readFile(join(dir, "saved", "functions.ts"), "utf8")).toMatch(/square/);
  });

  it("`generate server --spec F --out D` writes stubs for the extra operation; --check and --base-spec agree", async () => {
    const project = join(work, "stubs");
    const made = await polybridge(["new", project, "--lang", "ts"]);
    expect(made.code, made.stderr).toBe(0);
    const doc = parse(await readFile(join(root, "spec", "openapi.yaml"), "utf8")) as { paths: Record<string, unknown> };
    doc.paths["/v1/stats/{series}"] = {
      get: {
        operationId: "getStat",
        parameters: [{ name: "series", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "A stat.", content: { "application/json": { schema: { type: "object", properties: { count: { type: "integer" } } } } } } },
      },
    };
    await writeFile(join(project, "openapi.yaml"), stringify(doc));
    const run = await polybridge(["generate", "server", "--spec", "openapi.yaml", "--out", "."], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("extra operations: getStat");
    expect(await stat(join(project, "src", "handlers", "getStat.ts"))).toBeTruthy();
    const check = await polybridge(["generate", "server", "--spec", "openapi.yaml", "--out", ".", "--check"], { cwd: project });
    expect(check.code, check.stderr).toBe(0);
    const base = await polybridge(["generate", "server", "--spec", "openapi.yaml", "--out", ".", "--base-spec", join(root, "spec", "openapi.yaml"), "--check"], { cwd: project });
    expect([base.code, base.stdout]).toEqual([0, check.stdout]);
  });

  it("`generate functions` reads the catalogue of a server started with tokens: --token or POLYBRIDGE_TOKEN", async () => {
    const guarded = await startServer({ port: 0, workers: 1, auth: { tokens: ["t1"] } });
    try {
      const dir = await folder("functions-token");
      const refused = await polybridge(["generate", "functions", "--from", guarded.url, "--out", "src/gen/functions.ts"], { cwd: dir });
      expectOneLineError(refused, /^polybridge generate functions: GET .*\/v1\/functions answered 401: the server wants a token \(--token, or POLYBRIDGE_TOKEN\)$/m);
      const typed = await polybridge(["generate", "functions", "--from", guarded.url, "--token", "t1", "--out", "src/gen/functions.ts"], { cwd: dir });
      expect(typed.code, typed.stderr).toBe(0);
      expect(await readFile(join(dir, "src", "gen", "functions.ts"), "utf8")).toMatch(/square/);
      const python = await polybridge(["generate", "functions", "--from", guarded.url, "--lang", "python", "--out", "compute_client.py"], { cwd: dir, env: { POLYBRIDGE_TOKEN: "t1" } });
      expect(python.code, python.stderr).toBe(0);
      for (const [lang, out] of [["ts", "src/gen/functions.ts"], ["python", "compute_client.py"]]) {
        const check = await polybridge(["generate", "functions", "--from", guarded.url, "--lang", lang!, "--out", out!, "--check"], { cwd: dir, env: { POLYBRIDGE_TOKEN: "t1" } });
        expect(check.code, check.stderr).toBe(0);
      }
    } finally {
      await guarded.close(1_000);
    }
  });
});

describe("polybridge new", () => {
  /** Headings that appear more than once. */
  const repeatedHeadings = (readme: string): string[] => {
    const headings = readme.split("\n").filter((line) => /^#{1,3} /.test(line));
    return headings.filter((h, i) => headings.indexOf(h) !== i);
  };

  it("`new my-compute --lang ts` (the README's example) depends on @polybridge/server ^<its version>", async () => {
    const run = await polybridge(["new", "my-compute", "--lang", "ts"]);
    expect(run.code, run.stderr).toBe(0);
    const dir = join(work, "my-compute");
    const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { name: string; dependencies: Record<string, string> };
    expect(pkg.dependencies["@polybridge/server"]).toBe(`^${serverVersion}`);
    for (const file of ["src/functions.ts", "src/main.ts", "tsconfig.json", ".gitignore"]) expect(await stat(join(dir, file)), file).toBeTruthy();
    const readme = await readFile(join(dir, "README.md"), "utf8");
    expect(readme.startsWith("# my_compute\n")).toBe(true);
    expect(readme).toContain("npx @polybridge/cli conformance --url http://127.0.0.1:8080");
    expect(repeatedHeadings(readme)).toEqual([]);
  });

  it("`new calc --lang erlang --port 9000` sets the port and keeps bin/start executable", async () => {
    const run = await polybridge(["new", "calc", "--lang", "erlang", "--port", "9000"]);
    expect(run.code, run.stderr).toBe(0);
    const dir = join(work, "calc");
    expect(await readFile(join(dir, "src", "calc_config.erl"), "utf8")).toMatch(/\b9000\b/);
    expect((await stat(join(dir, "bin", "start"))).mode & 0o111).not.toBe(0);
    expect(await stat(join(dir, ".gitignore"))).toBeTruthy();
    const readme = await readFile(join(dir, "README.md"), "utf8");
    expect(readme).toContain("npx @polybridge/cli conformance --url http://127.0.0.1:9000");
    expect(repeatedHeadings(readme)).toEqual([]);
  });

  it("`new stats --lang python --name stats_server` names the project", async () => {
    const run = await polybridge(["new", "stats", "--lang", "python", "--name", "stats_server"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("created stats_server (python, port 8080)");
    const dir = join(work, "stats");
    for (const file of ["server.py", "functions.py", "polybridge/app.py", ".gitignore"]) expect(await stat(join(dir, file)), file).toBeTruthy();
    expect(repeatedHeadings(await readFile(join(dir, "README.md"), "utf8"))).toEqual([]);
  });

  it("`--server-dep` sets another @polybridge/server spec", async () => {
    const spec = `file:${join(root, "server")}`;
    const run = await polybridge(["new", "dep", "--lang", "ts", "--server-dep", spec]);
    expect(run.code, run.stderr).toBe(0);
    const pkg = JSON.parse(await readFile(join(work, "dep", "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["@polybridge/server"]).toBe(spec);
  });

  it("refuses bad input in one line, exit 2", async () => {
    const full = await folder("full");
    await writeFile(join(full, "keep.txt"), "mine");
    const cases: Array<[string[], RegExp]> = [
      [["new", "x", "--lang", "cobol"], /^polybridge new: unknown language 'cobol': use one of erlang, python, ts$/m],
      [["new", "x"], /^polybridge new: required option '--lang <lang>' not specified$/m],
      [["new", "--lang", "ts"], /^polybridge new: missing required argument 'dir'$/m],
      [["new", "full", "--lang", "python"], /^polybridge new: .*full is not empty/],
      [["new", "y", "--lang", "ts", "--name", "Bad"], /^polybridge new: invalid project name 'Bad'/],
      [["new", "y", "--lang", "ts", "--port", "0"], /^polybridge new: option '--port <port>' argument '0' is invalid/],
    ];
    for (const [args, pattern] of cases) {
      const run = await polybridge(args);
      expect(() => expectOneLineError(run, pattern), `polybridge ${args.join(" ")}`).not.toThrow();
    }
    expect(await readdir(full)).toEqual(["keep.txt"]);
  });
});

describe("what each command loads", () => {
  it.each([[["--help"]], [["generate", "--help"]], [["generate", "functions", "--help"]], [["new", "--help"]], [["conformance", "--help"]]])(
    "`polybridge %j` loads neither the server nor the TypeScript compiler",
    async (args) => {
      const { run, modules } = await loadedBy(args);
      expect(run.code, run.stderr).toBe(0);
      expect(modules.length, "the hook logged the CLI's own modules").toBeGreaterThan(3);
      expect(modules.filter((url) => FASTIFY.test(url) || SERVER.test(url))).toEqual([]);
      expect(modules.filter((url) => TYPESCRIPT.test(url))).toEqual([]);
    },
  );

  it("`generate --spec` loads the compiler (the hook sees it) but not the server", async () => {
    const { run, modules } = await loadedBy(["generate", "--spec", petstore, "--out", join(work, "loaded-gen")]);
    expect(run.code, run.stderr).toBe(0);
    expect(modules.some((url) => TYPESCRIPT.test(url))).toBe(true);
    expect(modules.filter((url) => FASTIFY.test(url) || SERVER.test(url))).toEqual([]);
  });

  it("`serve -p 0 -H 127.0.0.1 -w 1` loads fastify but not codegen or TypeScript, and SIGTERM exits 0", async () => {
    const log = join(work, "modules-serve.log");
    const server = await startPolybridge(["serve", "-p", "0", "-H", "127.0.0.1", "-w", "1"], { nodeArgs: ["--import", moduleLogHook], env: { PB_MODULE_LOG: log } });
    try {
      expect((await fetch(`${server.url}/v1/health`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const modules = (await readFile(log, "utf8")).split("\n").filter(Boolean);
    expect(modules.some((url) => FASTIFY.test(url))).toBe(true);
    expect(modules.filter((url) => CODEGEN.test(url) || TYPESCRIPT.test(url))).toEqual([]);
  });
});

describe("polybridge serve", () => {
  it("runs with every embedded-mode flag; a relative -f module is served; --log logs; SIGTERM drains and exits 0", async () => {
    const dir = await folder("serve-flags");
    await writeFile(join(dir, "tokens.txt"), "t-file\n");
    const args = [
      "serve", "--port", "0", "--host", "127.0.0.1", "--workers", "1", "--functions", relative(dir, cubeModule),
      "--grace-ms", "2000", "--max-running-jobs", "2", "--max-queued-jobs", "4", "--job-ttl-ms", "60000",
      "--max-stored-jobs", "100", "--request-timeout-ms", "10000", "--log",
      "--auth-token", "t-flag", "--auth-tokens-file", "tokens.txt", "--auth-open", "health,catalogue",
      "--cors-origin", "http://app.example", "--rate-limit", "100",
    ];
    const server = await startPolybridge(args, { cwd: dir });
    try {
      expect((await fetch(`${server.url}/v1/functions/cube`)).status).toBe(200);
      const call = await fetch(`${server.url}/v1/functions/cube/call`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer t-file" },
        body: '{"input": 3}',
      });
      expect(await call.json()).toMatchObject({ output: 27 });
      expect((await fetch(`${server.url}/v1/jobs`)).status).toBe(401);
      const job = await fetch(`${server.url}/v1/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer t-flag", prefer: "wait=10" },
        body: '{"kind": "map", "function": "cube", "input": {"items": [2]}}',
      });
      expect(await job.json()).toMatchObject({ status: "successful", result: { items: [8] } });
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // --log is --log-level debug: one JSON line per request, with its request id, and a job's submission besides its end.
    expect(server.output()).toMatch(/^\{.*"reqId":.*"msg":"request completed"/m);
    expect(server.output()).toMatch(/^\{"level":20,.*"function":"cube".*"msg":"job submitted"/m);
    expect(server.output()).toMatch(/^\{"level":30,.*"function":"cube".*"status":"successful".*"msg":"job finished"/m);
    expect(server.output()).toContain("SIGTERM, finishing running jobs (up to 2000 ms)");
  });

  it("scales out: `serve --redis --parallelism --lease-ms` hands chunks to `worker --redis -w -f --lock-ms --metrics-port --metrics-host`", async () => {
    const redis = await startRedis();
    const processes: ServerProcess[] = [];
    const stops: Array<() => Promise<number | null>> = [];
    try {
      const server = await startPolybridge(["serve", "--redis", redis.url, "--parallelism", "2", "--lease-ms", "5000", "--port", "0", "-f", cubeModule]);
      processes.push(server);
      const worker = await startWorker(["worker", "--redis", redis.url, "-w", "1", "-f", cubeModule, "--lock-ms", "1000", "--metrics-port", "0", "--metrics-host", "127.0.0.1"]);
      stops.push(worker.stop);
      const metricsUrl = /^polybridge worker metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(worker.output())?.[1];
      expect(metricsUrl, worker.output()).toBeDefined();
      const chunks = async (): Promise<number> => {
        const text = await (await fetch(metricsUrl!)).text();
        return Number(/^polybridge_worker_chunks_processed_total\{kind="map"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      };
      expect(await chunks()).toBe(0);
      const res = await fetch(`${server.url}/v1/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json", prefer: "wait=30" },
        body: JSON.stringify({ kind: "map", function: "cube", input: { items: [1, 2, 3] }, options: { chunkSize: 1 } }),
      });
      expect(await res.json()).toMatchObject({ status: "successful", result: { items: [1, 8, 27] } });
      // The worker's own /metrics (Prometheus text): its chunks, their durations, its pool and the process.
      expect(await chunks()).toBe(3);
      const scraped = await fetch(metricsUrl!);
      expect(scraped.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await scraped.text();
      expect(text).toMatch(/^polybridge_worker_chunk_duration_seconds_count\{kind="map"\} 3$/m);
      expect(text).toMatch(/^polybridge_worker_pool_threads 1$/m);
      expect(text).toMatch(/^polybridge_worker_pool_running_tasks 0$/m);
      expect(text).toMatch(/^polybridge_worker_pool_utilization \d/m);
      expect(text).toMatch(/^polybridge_worker_crashes_total 0$/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
      expect((await fetch(metricsUrl!.replace("/metrics", "/other"))).status).toBe(404);
    } finally {
      for (const stop of stops) expect(await stop()).toBe(0);
      for (const p of processes) expect(await p.stop()).toBe(0);
      redis.stop();
    }
  }, 120_000);
});

describe("polybridge conformance", () => {
  let server: RunningServer;
  let secured: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, workers: 1, heartbeatMs: 500 });
    secured = await startServer({ port: 0, workers: 1, heartbeatMs: 500, auth: { tokens: ["t1", "t2"], open: ["health"] } });
  });
  afterAll(async () => {
    await server.close(1_000);
    await secured.close(1_000);
  });

  it("runs chosen cases with every reporting flag and ends with the summary line", async () => {
    const dir = await folder("conformance");
    await writeFile(join(dir, "known-failing.txt"), "# nothing is expected to fail\n");
    const run = await polybridge(
      ["conformance", "--url", server.url, "--run", "health.*,call.*", "--skip", "call.fail*", "--known-failing", "known-failing.txt", "--trace", "--json", "report.json", "--concurrency", "2"],
      { cwd: dir },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/m);
    expect(JSON.parse(await readFile(join(dir, "report.json"), "utf8"))).toBeTruthy();
  });

  it("--client sdk sends the requests through the SDK", async () => {
    const run = await polybridge(["conformance", "--url", server.url, "--client", "sdk", "--run", "call.*"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed/m);
  });

  it("--token and --other-token run the auth and tenant cases", async () => {
    const run = await polybridge(["conformance", "--url", secured.url, "--token", "t1", "--other-token", "t2", "--run", "auth.*,health.*"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASS auth\./);
  });
});

describe("coverage of --help and the READMEs", () => {
  /** Long flags of one command, from its --help (short ones map to them). */
  async function helpFlags(command: readonly string[]): Promise<{ long: Set<string>; short: Map<string, string> }> {
    const { stdout } = await polybridge([...command, "--help"]);
    const options = stdout.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? "";
    const long = new Set<string>();
    const short = new Map<string, string>();
    for (const match of options.matchAll(/^\s+(?:(-\w), )?(--[a-z][a-z-]*)/gm)) {
      long.add(match[2]!);
      if (match[1]) short.set(match[1], match[2]!);
    }
    return { long, short };
  }

  /** The command path an argument list runs (["generate", "functions"]), or undefined. */
  function commandOf(args: readonly string[]): string | undefined {
    const names = COMMANDS.map((c) => c.join(" ")).sort((a, b) => b.length - a.length);
    const line = args.join(" ");
    return names.find((name) => line === name || line.startsWith(`${name} `));
  }

  it("runs every flag of every command's --help, and every README command uses only those flags", async () => {
    const runs = [...ran];
    const help = new Map<string, { long: Set<string>; short: Map<string, string> }>();
    for (const command of COMMANDS) help.set(command.join(" "), await helpFlags(command));
    const flags = new Map([...help].map(([command, h]) => [command, h.long] as const));
    const used = new Map<string, Set<string>>();
    for (const args of runs) {
      const command = commandOf(args);
      if (!command) continue;
      const short = help.get(command)!.short;
      const set = used.get(command) ?? new Set<string>();
      for (const arg of args) if (arg.startsWith("-")) set.add(short.get(arg) ?? arg);
      used.set(command, set);
    }
    const notRun: string[] = [];
    for (const [command, known] of flags) for (const flag of known) if (!used.get(command)?.has(flag)) notRun.push(`polybridge ${command} ${flag}`);
    expect(notRun).toEqual([]);

    const readmes = [
      "README.md", "cli/README.md", "sdk/README.md", "codegen/README.md", "test/conformance/README.md",
      "server-template/ts/README.md", "server-template/python/README.md", "server-template/erlang/README.md",
    ];
    const helpTexts = await Promise.all(COMMANDS.map(async (c) => (await polybridge([...c, "--help"])).stdout));
    const sources = [...(await Promise.all(readmes.map(async (f) => [f, await readFile(join(root, f), "utf8").catch(() => "")] as const))), ...helpTexts.map((t, i) => [`--help ${i}`, t] as const)];
    const wrong: string[] = [];
    let documented = 0;
    for (const [file, text] of sources) {
      for (const line of text.split("\n")) {
        for (const match of line.matchAll(/(?:npx @polybridge\/cli|(?<![\w/@-])polybridge) ((?:generate (?:functions|server))|serve|worker|generate|new|conformance)\b([^`|#]*)/g)) {
          const command = match[1]!;
          documented++;
          if (!used.has(command)) wrong.push(`${file}: polybridge ${command} is never run`);
          for (const flag of match[2]!.matchAll(/(?:^|[\s[])(--[a-z][a-z-]*)/g)) {
            if (!flags.get(command)?.has(flag[1]!)) wrong.push(`${file}: polybridge ${command} ${flag[1]} is not a flag of the command`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(documented).toBeGreaterThan(20);
  }, 120_000);

  it("no README or script still points at the server's old bin", async () => {
    const files = ["README.md", "package.json", "scripts/test.sh", "cli/README.md", "sdk/README.md", "test/conformance/README.md"];
    for (const file of files) expect(await readFile(join(root, file), "utf8"), file).not.toMatch(/server\/bin\/polybridge|server\/dist\/cli|npx polybridge-conformance/);
  });
});
