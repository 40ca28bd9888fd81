// The day-two workflow of a TypeScript project made by `polybridge new`: add a function to
// src/functions.ts, add an operation to the spec and generate its handler, rebuild, restart,
// and reach both through HTTP, the typed SDK (catalogue → `Functions` via generateFunctions)
// and the generated route table.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject, generateServerStubs } from "@polybridge/codegen";
import { checkoutServerDep, checkoutTemplates } from "../helpers/templates.js";
import { buildTypedClient } from "../helpers/buildTypedClient.js";
import { runCommand, startServerProcess, type Finished, type ServerProcess } from "../helpers/serverProcess.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Starts the built project (`node dist/main.js --port 0`). */
const startProject = (dir: string): Promise<ServerProcess> =>
  startServerProcess(process.execPath, ["dist/main.js", "--port", "0"], { cwd: dir, timeoutMs: 20_000 });

/** `npm install` / `npm run build` in the project, expected to succeed. */
async function npm(dir: string, args: string[], timeoutMs: number): Promise<Finished> {
  const result = await runCommand("npm", args, { cwd: dir, timeoutMs });
  expect(result.code, result.output).toBe(0);
  return result;
}

const QUADRUPLE = `
/** Added by the test: four times a number. */
export const quadruple = defineUnary({
  name: "quadruple",
  description: "Multiplies a number by four.",
  input: z.number(),
  output: z.number(),
  run: (x) => 4 * x,
});
`;

const HANDLER = `import type { RecordStatHandler } from "../gen/routes.js";

// Hand-written: counts samples per series.
const counts = new Map<string, number>();

export const recordStat: RecordStatHandler = ({ params, query, body }) => {
  const count = (counts.get(params.series) ?? 0) + (query.dryRun ? 0 : 1);
  if (!query.dryRun) counts.set(params.series, count);
  return { series: params.series, count: count + 0 * body.value };
};
`;

/** Our contract plus one operation of the user's own. */
async function writeExtendedSpec(file: string): Promise<void> {
  const doc = parse(await readFile(join(root, "spec", "openapi.yaml"), "utf8")) as { paths: Record<string, unknown> };
  doc.paths["/v1/stats/{series}"] = {
    post: {
      operationId: "recordStat",
      parameters: [
        { name: "series", in: "path", required: true, schema: { type: "string", pattern: "^[a-z]+$" } },
        { name: "dryRun", in: "query", schema: { type: "boolean" } },
      ],
      requestBody: {
        required: true,
        content: { "application/json": { schema: { type: "object", required: ["value"], properties: { value: { type: "number" } } } } },
      },
      responses: {
        "201": {
          description: "Recorded.",
          content: { "application/json": { schema: { type: "object", required: ["series", "count"], properties: { series: { type: "string" }, count: { type: "integer" } } } } },
        },
      },
    },
  };
  await writeFile(file, stringify(doc));
}

interface Injected {
  status: number;
  contentType: string;
  body: unknown;
}

/**
 * Registers the project's compiled route table on a bare fastify app and injects requests, in a
 * fresh node process: a rewritten handler must not be served from this process's module cache.
 */
async function injectRoutes(dir: string, requests: Array<{ url: string; payload: unknown }>): Promise<Injected[]> {
  // Through the real server's protocol scope: the extra routes share its parsing, validation and problems.
  const script = `
    const { startServer } = await import("@polybridge/server");
    const { routes } = await import("./dist/gen/routes.js");
    const { registerExtraRoutes } = await import("./dist/extraRoutes.js");
    const server = await startServer({ port: 0, workers: 1, configure: (app) => registerExtraRoutes(app, routes) });
    const out = [];
    for (const r of ${JSON.stringify(requests)}) {
      const res = await fetch(server.url + r.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(r.payload) });
      out.push({ status: res.status, contentType: String(res.headers.get("content-type")), body: await res.json() });
    }
    await server.close(100);
    console.log(JSON.stringify(out));
  `;
  const ran = await runCommand(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, timeoutMs: 20_000 });
  expect(ran.code, ran.output).toBe(0);
  return JSON.parse(ran.stdout) as Injected[];
}

let tmp: string;
let dir: string;
let server: ServerProcess | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "pb-ts-new-"));
  dir = join(tmp, "grow");
  await createProject({ dir, lang: "ts", templatesDir: checkoutTemplates, serverDep: checkoutServerDep });
  await npm(dir, ["install", "--prefer-offline", "--no-audit", "--no-fund"], 120_000);
}, 150_000);

afterAll(async () => {
  await server?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe("growing a TypeScript project", () => {
  it("adds a function in src/functions.ts and still builds", async () => {
    const file = join(dir, "src", "functions.ts");
    const before = await readFile(file, "utf8");
    const after = before
      .replace("/**\n * Everything served.", `${QUADRUPLE}\n/**\n * Everything served.`)
      .replace("[...conformanceFunctions, cube]", "[...conformanceFunctions, cube, quadruple]");
    expect(after).toContain("cube, quadruple]");
    expect(after).toContain("export const quadruple");
    await writeFile(file, after);
    await npm(dir, ["run", "build"], 60_000);
  }, 90_000);

  it("serves quadruple over HTTP after a restart", async () => {
    server = await startProject(dir);
    const res = await fetch(`${server.url}/v1/functions/quadruple/call`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: 4 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ function: "quadruple", output: 16 });
  }, 30_000);

  it("serves quadruple through the typed SDK, whose types reject a wrong input", async () => {
    if (!server) throw new Error("server not started");
    const client = await buildTypedClient({
      url: server.url,
      dir: join(tmp, "client-check"),
      body: ['const n: number = await client.call("quadruple", 5);', "console.log(JSON.stringify(n));"],
      mustNotCompile: ['client.call("quadruple", "4")', 'client.call("quintuple", 4)'],
    });
    expect(client.functionsSource).toContain("quadruple");
    expect(client.diagnostics).toEqual([]);
    const ran = await client.run();
    expect(ran.code, ran.output).toBe(0);
    expect(JSON.parse(ran.stdout)).toBe(20);
  }, 30_000);

  it("stops with exit code 0", async () => {
    if (!server) throw new Error("server not started");
    expect(await server.stop()).toBe(0);
    server = undefined;
  }, 20_000);

  it("generates an operation the spec adds, and still builds", async () => {
    const spec = join(tmp, "openapi.yaml");
    await writeExtendedSpec(spec);
    const stubs = await generateServerStubs({ spec, out: dir });
    expect(stubs.extraOperations).toEqual(["recordStat"]);
    await npm(dir, ["run", "build"], 60_000);
  }, 90_000);

  it("answers 501 not_implemented from a fresh handler, and validates first", async () => {
    const [stub, invalid] = await injectRoutes(dir, [
      { url: "/v1/stats/cpu", payload: { value: 1 } },
      { url: "/v1/stats/CPU", payload: {} },
    ]);
    expect(stub).toMatchObject({ status: 501, contentType: expect.stringMatching(/^application\/problem\+json/) });
    expect(stub?.body).toMatchObject({ status: 501, code: "not_implemented", detail: expect.stringContaining("src/handlers/recordStat.ts") });
    expect(invalid).toMatchObject({ status: 400, body: { code: "validation_failed" } });
  }, 30_000);

  it("serves the handler once written, and regenerating keeps it", async () => {
    const handler = join(dir, "src", "handlers", "recordStat.ts");
    await writeFile(handler, HANDLER);
    const again = await generateServerStubs({ spec: join(tmp, "openapi.yaml"), out: dir });
    expect(again.handlersCreated).toEqual([]);
    expect(await readFile(handler, "utf8")).toBe(HANDLER);
    await npm(dir, ["run", "build"], 60_000);
    const [first, dry] = await injectRoutes(dir, [
      { url: "/v1/stats/cpu?dryRun=false", payload: { value: 2.5 } },
      { url: "/v1/stats/cpu?dryRun=true", payload: { value: 1 } },
    ]);
    expect(first).toMatchObject({ status: 201, body: { series: "cpu", count: 1 } });
    expect(dry).toMatchObject({ status: 201, body: { series: "cpu", count: 1 } });
  }, 90_000);

  it("serves the operation from the running server", async () => {
    server = await startProject(dir);
    const res = await fetch(`${server.url}/v1/stats/disk`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value: 7 }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ series: "disk", count: 1 });
    expect(await server.stop()).toBe(0);
    server = undefined;
  }, 30_000);
});
