// The day-two workflow of a TypeScript project made by `polybridge new`: add a function to
// src/functions.ts, add an operation to the spec and generate its handler, rebuild, restart,
// and reach both through HTTP, the typed SDK (catalogue → `Functions` via generateFunctions)
// and the generated route table.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFunctions } from "@polybridge/codegen";
import { createClient } from "@polybridge/sdk";
import { createProject, generateServerStubs } from "@polybridge/codegen";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

interface Started {
  url: string;
  stop(): Promise<number | null>;
}

/** Starts `node dist/main.js`; resolves at its `polybridge listening` line, rejects if it exits first. */
function startProject(dir: string): Promise<Started> {
  const child: ChildProcess = spawn(process.execPath, ["dist/main.js", "--port", "0"], {
    cwd: dir,
    env: { ...process.env, POLYBRIDGE_HEARTBEAT_MS: "500" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`no 'polybridge listening' line within 20 s; stderr: ${err}`));
    }, 20_000);
    child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^polybridge listening on (http:\/\/\S+)$/m.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], stop });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening; stderr: ${err}`));
    });
  });
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
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, timeout: 20_000 });
  return JSON.parse(stdout) as Injected[];
}

let tmp: string;
let dir: string;
let server: Started | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "pb-ts-new-"));
  dir = join(tmp, "grow");
  await createProject({ dir, lang: "ts" });
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, timeout: 120_000 });
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
    await run("npm", ["run", "build"], { cwd: dir, timeout: 60_000 });
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
    const check = join(tmp, "client-check");
    const generated = await generateFunctions({ from: server.url, out: join(check, "functions.ts") });
    expect(generated.written).toHaveLength(1);
    expect(await readFile(join(check, "functions.ts"), "utf8")).toContain("quadruple");

    // Type level: a program using the generated catalogue compiles, the wrong input being an expected error.
    await mkdir(join(check, "node_modules", "@polybridge"), { recursive: true });
    await symlink(join(root, "sdk"), join(check, "node_modules", "@polybridge", "sdk"), "dir");
    await writeFile(join(check, "package.json"), JSON.stringify({ type: "module" }));
    await writeFile(
      join(check, "use.ts"),
      [
        'import { createClient } from "@polybridge/sdk";',
        'import type { Functions } from "./functions.js";',
        'const client = createClient<Functions>({ baseUrl: "http://127.0.0.1:1" });',
        'export const n: Promise<number> = client.call("quadruple", 4);',
        "// @ts-expect-error quadruple takes a number",
        'void client.call("quadruple", "4");',
      ].join("\n"),
    );
    const program = ts.createProgram([join(check, "use.ts")], {
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2023,
      strict: true, noEmit: true, skipLibCheck: true, types: [],
    });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);

    const client = createClient({ baseUrl: server.url, timeoutMs: 5_000 });
    try {
      expect(await client.call("quadruple", 5)).toBe(20);
    } finally {
      await client.close();
    }
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
    await run("npm", ["run", "build"], { cwd: dir, timeout: 60_000 });
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
    await run("npm", ["run", "build"], { cwd: dir, timeout: 60_000 });
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
