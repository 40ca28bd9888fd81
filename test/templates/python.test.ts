// The Python template as a user gets it from `polybridge new calc-node --lang python --name
// calc_node --port 9137`: run with the standard library only, it passes its own tests, the
// contract and the conformance suite, drains on SIGTERM, requires bearer tokens when given
// some (one tenant per token), and serves a function the user adds through the typed SDK.
import { existsSync } from "node:fs";
import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProject } from "@polybridge/codegen";
import { checkoutTemplates } from "../helpers/templates.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectContractAnswers } from "../helpers/expectContractAnswers.js";
import { expectConformance } from "../helpers/expectConformance.js";
import { expectCubeServed } from "../helpers/expectCubeServed.js";
import { expectDrainOnSigterm } from "../helpers/expectDrainOnSigterm.js";
import { runCommand, startServerProcess, type ServerProcess } from "../helpers/serverProcess.js";

// `python3` on PATH and Debian's /usr/bin/python3 may differ; the template must work with both.
const interpreters = [...new Set(["python3", ...(existsSync("/usr/bin/python3") ? ["/usr/bin/python3"] : [])])];
const start = (dir: string, env?: NodeJS.ProcessEnv): Promise<ServerProcess> =>
  startServerProcess("python3", ["server.py", "--port", "0"], { cwd: dir, env, timeoutMs: 30_000 });

// Two tokens, two tenants (test/conformance: servers in auth mode get POLYBRIDGE_AUTH_TOKENS="<T>,<T2>").
const TOKEN = "calc-node-token-one";
const OTHER_TOKEN = "calc-node-token-two";
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

// What a user appends to functions.py: the decorator is the registration.
const CUBE = `

@unary(input={"type": "number"}, output={"type": "number"})
def cube(x: float) -> float:
    """Cubes a number."""
    return x * x * x
`;

let tmp = "";
let dir = "";

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "polybridge-python-"));
  dir = join(tmp, "calc-node");
  // A name and a port other than the template's own: the renaming must leave a working project.
  await createProject({ dir, lang: "python", name: "calc_node", port: 9137, templatesDir: checkoutTemplates });
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("server-template/python made by createProject", () => {
  it("carries the chosen name and default port", async () => {
    expect(await readFile(join(dir, "functions.py"), "utf8")).toMatch(/^"""calc_node's functions/);
    // The real default, as the server computes it (PORT empty = unset).
    const port = await runCommand("python3", ["-c", "import server; print(server.parse_config([]).port)"], { cwd: dir, env: { PORT: "" }, timeoutMs: 20_000 });
    expect(port.code, port.output).toBe(0);
    expect(port.stdout.trim()).toBe("9137");
  }, 30_000);

  it.each(interpreters)("passes its own unit tests with %s", async (python) => {
    const result = await runCommand(python, ["-m", "unittest"], { cwd: dir, timeoutMs: 120_000 });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Ran \d+ tests/);
  }, 130_000);

  describe("the running server", () => {
    let server: ServerProcess | undefined;

    beforeAll(async () => {
      server = await start(dir);
    }, 40_000);

    afterAll(async () => {
      await server?.stop();
    });

    it("answers per the contract", async () => {
      await expectContractAnswers(server!.url, [
        ["GET", "/v1/health"],
        ["GET", "/v1/functions"],
        ["GET", "/v1/functions/sum"],
        ["GET", "/v1/functions/missing"],
        ["POST", "/v1/functions/square/call", { input: 12 }],
        ["POST", "/v1/functions/fail/call", { input: "boom" }],
        ["POST", "/v1/jobs", { kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a b a", "b c"] } }, { prefer: "wait=10" }],
        ["POST", "/v1/jobs", { kind: "map", function: "square", input: { items: [1] }, options: { chunkSize: 0 } }],
        ["GET", "/v1/jobs?limit=1"],
      ]);
      const wordCount = await fetch(`${server!.url}/v1/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json", prefer: "wait=10" },
        body: JSON.stringify({ kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a b a", "b c"] } }),
      });
      expect(await wordCount.json()).toMatchObject({ status: "successful", result: { kind: "mapreduce", entries: [["a", 2], ["b", 2], ["c", 1]] } });
    });

    it("passes the conformance suite", async () => {
      await expectConformance(server!.url);
    }, 300_000);

    it("drains on SIGTERM: refuses new jobs, finishes running ones, exits 0", async () => {
      await expectDrainOnSigterm(server!);
    }, 30_000);
  });

  describe("the running server with bearer tokens", () => {
    let server: ServerProcess | undefined;

    beforeAll(async () => {
      server = await start(dir, { POLYBRIDGE_AUTH_TOKENS: `${TOKEN},${OTHER_TOKEN}` });
    }, 40_000);

    afterAll(async () => {
      await server?.stop();
    });

    it("answers 401 problem+json with a Bearer challenge, before reading the body", async () => {
      const url = server!.url;
      const none = await fetch(`${url}/v1/jobs`);
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toBe('Bearer realm="polybridge"');
      expect(none.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await none.json()).toMatchObject({ code: "unauthorized", status: 401, title: "Authentication required" });

      const wrong = await fetch(`${url}/v1/jobs`, { headers: bearer("not-a-token") });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="polybridge", error="invalid_token"');
      expect(wrong.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await wrong.json()).toMatchObject({ code: "unauthorized" });

      // 401 wins over 400 invalid_json, and over 404 for an unknown route.
      const malformed = await fetch(`${url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
      expect([malformed.status, ((await malformed.json()) as { code: string }).code]).toEqual([401, "unauthorized"]);
      const unknown = await fetch(`${url}/v1/nothing-here`);
      expect(unknown.status).toBe(401);
      await unknown.body?.cancel();

      const health = await fetch(`${url}/v1/health`); // open by default
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok" });
    });

    it("keeps each token's jobs to itself", async () => {
      const url = server!.url;
      const submitted = await fetch(`${url}/v1/jobs`, {
        method: "POST",
        headers: { ...bearer(TOKEN), "content-type": "application/json", prefer: "wait=10" },
        body: JSON.stringify({ kind: "map", function: "square", input: { items: [1, 2, 3] } }),
      });
      const job = (await submitted.json()) as { id: string; status: string; result: unknown };
      expect([submitted.status, job.status, job.result]).toEqual([200, "successful", { kind: "map", items: [1, 4, 9] }]);
      const theirs = await fetch(`${url}/v1/jobs/${job.id}`, { headers: bearer(OTHER_TOKEN) });
      expect([theirs.status, ((await theirs.json()) as { code: string }).code]).toEqual([404, "job_not_found"]);
      const list = (await (await fetch(`${url}/v1/jobs?limit=100`, { headers: bearer(OTHER_TOKEN) })).json()) as { jobs: { id: string }[] };
      expect(list.jobs.map((j) => j.id)).not.toContain(job.id);
      const mine = await fetch(`${url}/v1/jobs/${job.id}/result`, { headers: bearer(TOKEN) });
      expect(await mine.json()).toEqual({ kind: "map", items: [1, 4, 9] });
    });

    it("passes the conformance suite with both tokens, auth and tenant cases included", async () => {
      await expectConformance(server!.url, 50, { token: TOKEN, otherToken: OTHER_TOKEN });
    }, 300_000);
  });

  describe("a function the user adds", () => {
    let server: ServerProcess | undefined;

    afterAll(async () => {
      await server?.stop();
    });

    it("serves cube after a restart, typed through the SDK from the catalogue", async () => {
      await appendFile(join(dir, "functions.py"), CUBE);
      server = await start(dir);
      await expectCubeServed(server.url, join(tmp, "client"));
      expect(await server.stop()).toBe(0);
    }, 60_000);
  });
});
