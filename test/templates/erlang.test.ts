// The Erlang/MochiWeb template as a user gets it from `polybridge new calc-node --lang erlang
// --name calc_node --port 9137`: built with make + erlc, it passes its EUnit tests, the contract
// and the conformance suite (also with bearer tokens: the auth and tenant cases), streams
// events, drains on SIGTERM, and serves a function the user adds through the typed SDK.
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createProject } from "@polybridge/codegen";
import { checkoutTemplates } from "../helpers/templates.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectContractAnswers } from "../helpers/expectContractAnswers.js";
import { expectConformance } from "../helpers/expectConformance.js";
import { expectCubeServed } from "../helpers/expectCubeServed.js";
import { expectDrainOnSigterm } from "../helpers/expectDrainOnSigterm.js";
import { readEventStream } from "../helpers/readEventStream.js";
import { runCommand, startServerProcess, type ServerProcess } from "../helpers/serverProcess.js";

const ensureErlang = fileURLToPath(new URL("../../scripts/ensure-erlang.sh", import.meta.url));
// bin/start builds first when needed; the VM then takes a few seconds to boot.
const start = (dir: string, env?: NodeJS.ProcessEnv): Promise<ServerProcess> =>
  startServerProcess("bin/start", ["--port", "0"], { cwd: dir, timeoutMs: 60_000, ...(env ? { env } : {}) });

// What a user adds to src/calc_node_functions.erl: an entry in functions/0 ...
const CUBE_ENTRY = `

     #{name => <<"cube">>,
       kind => unary,
       description => <<"Cubes a number.">>,
       input => #{type => number},
       output => #{type => number},
       run => fun cube/1}].
`;
// ... and the function it names, at the end of the module.
const CUBE_FUNCTION = `
cube(X) -> X * X * X.
`;

let tmp = "";
let dir = "";

beforeAll(async () => {
  // On a fresh machine this installs OTP, MochiWeb and jiffy from Debian; otherwise a no-op.
  const ensured = await runCommand("bash", [ensureErlang], { cwd: process.cwd(), timeoutMs: 600_000 });
  expect(ensured.code, ensured.output).toBe(0);
  tmp = await mkdtemp(join(tmpdir(), "polybridge-erlang-"));
  dir = join(tmp, "calc-node");
  // A name and a port other than the template's own: every module is renamed, so the build
  // itself checks that nothing still refers to the template's name.
  await createProject({ dir, lang: "erlang", name: "calc_node", port: 9137, templatesDir: checkoutTemplates });
}, 620_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("server-template/erlang made by createProject", () => {
  it("builds with make", async () => {
    const result = await runCommand("make", [], { cwd: dir, timeoutMs: 120_000 });
    expect(result.code, result.output).toBe(0);
  }, 130_000);

  it("carries the chosen name and default port", async () => {
    // The real default, as the server reads it (PORT empty = unset).
    const port = await runCommand("erl", ["-noshell", "-pa", "ebin", "-eval", 'io:format("~p~n", [calc_node_config:get(port)]), halt().'], {
      cwd: dir,
      env: { PORT: "" },
      timeoutMs: 30_000,
    });
    expect(port.code, port.output).toBe(0);
    expect(port.stdout.trim()).toBe("9137");
    expect(await readFile(join(dir, "bin", "start"), "utf8")).toContain('PORT="${PORT:-9137}"');
  }, 40_000);

  it("passes its EUnit tests", async () => {
    const result = await runCommand("make", ["test"], { cwd: dir, timeoutMs: 120_000 });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/All \d+ tests passed\./);
  }, 130_000);

  describe("the running server", () => {
    let server: ServerProcess | undefined;

    beforeAll(async () => {
      server = await start(dir);
    }, 70_000);

    afterAll(async () => {
      await server?.stop();
    });

    it("answers per the contract", async () => {
      const url = server!.url;
      await expectContractAnswers(url, [
        ["GET", "/v1/health"],
        ["GET", "/v1/functions"],
        ["GET", "/v1/functions/tokenize"],
        ["GET", "/v1/functions/missing"],
        ["POST", "/v1/functions/square/call", { input: 12 }],
        ["POST", "/v1/functions/fail/call", { input: "boom" }],
        ["POST", "/v1/functions/sleep/call", { input: 1000, timeoutMs: 20 }],
        ["POST", "/v1/jobs", { kind: "fold", function: "sum", input: { range: { start: 1, end: 101 } } }, { prefer: "wait=10" }],
        ["POST", "/v1/jobs", { kind: "map", function: "fail", input: { items: [1, -1] } }, { prefer: "wait=10" }],
        ["POST", "/v1/jobs", { kind: "map", function: "square", input: { items: [1] }, options: { chunkSize: 0 } }],
        ["POST", "/v1/jobs", { kind: "fold", function: "square", input: { items: [1] } }],
        ["GET", "/v1/jobs?limit=1"],
        ["GET", "/v1/jobs/job_missing"],
      ]);
      // Big integers survive the round trip exactly (Erlang integers are unbounded).
      const big = await fetch(`${url}/v1/functions/echo/call`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"input":123456789012345678901234567890}',
      });
      expect(await big.text()).toContain('"output":123456789012345678901234567890');
    });

    it("streams a job's events and closes after the terminal status", async () => {
      const url = server!.url;
      const submitted = await fetch(`${url}/v1/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        // 1.2 s without events: the 500 ms heartbeat the stream asks for must fill the silence
        // (the server runs with its default of 15 s).
        body: JSON.stringify({ kind: "map", function: "sleep", input: { items: [1200] } }),
      });
      const { id } = (await submitted.json()) as { id: string };
      const stream = await readEventStream(`${url}/v1/jobs/${id}/events?heartbeatMs=500`, 20_000);
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      expect(stream.text).toMatch(/^id: 1\nevent: status\ndata: \{.*\}\n\n/);
      expect(stream.text).toContain(": heartbeat");
      expect(stream.text).toMatch(/event: result\ndata: \{"kind":"map","items":\[1200\]\}\n\n/);
      expect(stream.text.trimEnd()).toMatch(/event: status\ndata: \{.*"status":"successful".*\}$/);
    }, 30_000);

    it("passes the conformance suite", async () => {
      await expectConformance(server!.url);
    }, 300_000);

    it("drains on SIGTERM: refuses new jobs, finishes running ones, exits 0", async () => {
      await expectDrainOnSigterm(server!);
    }, 30_000);
  });

  describe("the running server with bearer tokens", () => {
    // Two tenants, as the conformance suite's auth cases expect (POLYBRIDGE_AUTH_TOKENS="<T>,<T2>").
    const token = `t1-${randomUUID()}`;
    const otherToken = `t2-${randomUUID()}`;
    let server: ServerProcess | undefined;

    beforeAll(async () => {
      server = await start(dir, { POLYBRIDGE_AUTH_TOKENS: `${token},${otherToken}` });
    }, 70_000);

    afterAll(async () => {
      await server?.stop();
    });

    it("answers 401 problem+json with a Bearer challenge without a valid token, before the body", async () => {
      const url = server!.url;
      const missing = await fetch(`${url}/v1/jobs`);
      expect(missing.status).toBe(401);
      expect(missing.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="polybridge"');
      expect(await missing.json()).toMatchObject({ code: "unauthorized", status: 401, title: "Authentication required" });
      const wrong = await fetch(`${url}/v1/jobs`, { headers: { authorization: "Bearer not-a-token" } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="polybridge", error="invalid_token"');
      // Malformed JSON without a token: 401, not 400.
      const malformed = await fetch(`${url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"kind":' });
      expect(malformed.status).toBe(401);
      expect((await fetch(`${url}/v1/health`)).status).toBe(200);
      const allowed = await fetch(`${url}/v1/jobs`, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
    });

    it("passes the conformance suite with both tokens, auth and tenant cases included", async () => {
      await expectConformance(server!.url, 50, { token, otherToken });
    }, 300_000);
  });

  describe("a function the user adds", () => {
    let server: ServerProcess | undefined;

    afterAll(async () => {
      await server?.stop();
    });

    it("registers cube in functions/0 and still builds", async () => {
      const file = join(dir, "src", "calc_node_functions.erl");
      const before = await readFile(file, "utf8");
      // The list of functions/0 ends at the first `}].`: the new entry goes last.
      const after = before.replace(/\}\]\.\n/, `},${CUBE_ENTRY}`) + CUBE_FUNCTION;
      expect(after).toContain("run => fun cube/1}].");
      await writeFile(file, after);
      const build = await runCommand("make", [], { cwd: dir, timeoutMs: 120_000 });
      expect(build.code, build.output).toBe(0);
    }, 130_000);

    it("serves cube after a restart, typed through the SDK from the catalogue", async () => {
      server = await start(dir);
      await expectCubeServed(server.url, join(tmp, "client"));
      expect(await server.stop()).toBe(0);
    }, 90_000);
  });
});
