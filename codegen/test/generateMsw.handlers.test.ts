import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "@polybridge/codegen";
import { parse as parseYaml } from "yaml";
import { compileTs } from "./compileTs.js";

// `generate({ msw: true })` (the CLI's `generate --msw`) on third-party specs and on ours: the
// handlers run under msw's setupServer, every operation is called with fetch, and each answer is
// checked against the spec with Ajv (not with the zod schemas the handlers use themselves).

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
const tmp = join(here, "..", ".tmp", `msw-${process.pid}`);
const BASE = "https://mock.test/api";

type Doc = { [key: string]: unknown };
interface Case {
  name: string;
  spec: string;
  /** Type-check the output (GitHub's 6.5 MB of types is left to the compile test of `generate`). */
  compile: boolean;
  /**
   * Answer the spec's examples: GitHub's include some that break its own schemas in ways the zod
   * check lets through (a `oneOf` matched twice, `format: uri` on "example.com"), so there the
   * generated data is what is checked, on all 1,223 operations.
   */
  examples: boolean;
}
const cases: Case[] = [
  { name: "petstore-expanded", spec: join(here, "fixtures", "petstore-expanded.yaml"), compile: true, examples: true },
  { name: "tictactoe", spec: join(here, "fixtures", "tictactoe.yaml"), compile: true, examples: true },
  { name: "polymorphism", spec: join(here, "fixtures", "polymorphism.yaml"), compile: true, examples: true },
  { name: "oneof-discriminator", spec: join(here, "fixtures", "oneof-discriminator.yaml"), compile: true, examples: true },
  { name: "polybridge", spec: join(root, "spec", "openapi.yaml"), compile: true, examples: true },
  { name: "github", spec: join(tmp, "api.github.com.json"), compile: false, examples: false },
];

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
const pointer = (...parts: string[]) => `#/${parts.map((p) => encodeURIComponent(p.replaceAll("~", "~0").replaceAll("/", "~1"))).join("/")}`;

/**
 * OpenAPI's meaning in plain JSON Schema: a `oneOf` with a `discriminator` takes the branch the
 * discriminator names even when the data would match others too (so: `anyOf`), and 3.0's
 * `nullable` without a `type` (beside `allOf`/`$ref`) allows null.
 */
function openApiDialect(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiDialect);
  if (typeof node !== "object" || node === null) return node;
  const out: Doc = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, openApiDialect(v)]));
  if (Array.isArray(out.oneOf) && out.discriminator !== undefined) {
    out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _, ...rest } = out;
    return { anyOf: [rest, { type: "null" }] };
  }
  return out;
}

/** An Ajv validator for a JSON pointer into the spec (3.0 with Ajv's draft-07 + `nullable`, 3.1 with 2020-12). */
function validatorFor(doc: Doc): (ref: string) => ValidateFunction {
  const options = { strict: false, logger: false, allErrors: false, validateFormats: true } as const;
  const ajv = String(doc.openapi).startsWith("3.1") ? new Ajv2020(options) : new Ajv(options);
  addFormats.default(ajv);
  for (const format of ["int32", "int64", "float", "double", "password", "binary", "uri-template"]) ajv.addFormat(format, true);
  ajv.addSchema({ ...(openApiDialect(doc) as Doc), $id: "spec" }, "spec");
  return (ref) => ajv.getSchema(`spec${ref}`) ?? (() => { throw new Error(`no schema at ${ref}`); })();
}

beforeAll(async () => {
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeFile(join(tmp, "api.github.com.json"), gunzipSync(await readFile(join(root, "bench", "fixtures", "api.github.com.json.gz"))));
  for (const c of cases) await generate({ spec: c.spec, out: join(tmp, c.name), source: c.name, msw: true });
}, 180_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe.each(cases)("generate --msw: $name", ({ name, spec, examples }) => {
  it("answers every operation with its lowest 2xx, valid for the spec", { timeout: 300_000 }, async () => {
    const text = await readFile(spec, "utf8");
    const doc = (spec.endsWith(".json") ? JSON.parse(text) : parseYaml(text)) as Doc;
    const validate = validatorFor(doc);
    const { createMockHandlers } = await import(join(tmp, name, "msw.ts"));
    const { mswSample } = await import(join(tmp, name, "mswSample.ts"));
    const { mswRandom } = await import(join(tmp, name, "mswRandom.ts"));
    const { handlers } = createMockHandlers({ baseUrl: BASE, seed: 3, examples });
    const server = setupServer(...handlers);
    server.listen({ onUnhandledRequest: "error" });
    let called = 0;
    const failures: string[] = [];
    try {
      for (const [path, item] of Object.entries(doc.paths as Record<string, Doc>)) {
        for (const method of METHODS) {
          const op = item[method] as Doc | undefined;
          if (!op) continue;
          const deref = (node: unknown): Doc => {
            let n = node as Doc;
            while (typeof n?.$ref === "string") n = validateTarget(doc, n.$ref);
            return n;
          };
          const params = [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map(deref);
          const query = new URLSearchParams(params.filter((p) => p.in === "query" && p.required === true).map((p) => [String(p.name), "1"]));
          const url = `${BASE}${path.replace(/\{[^}]+\}/g, "1")}${query.size > 0 ? `?${query}` : ""}`;
          const body = deref(op.requestBody);
          const json = body?.content ? Object.entries(body.content as Record<string, Doc>).find(([type]) => /json/.test(type)) : undefined;
          const init: RequestInit = { method: method.toUpperCase(), redirect: "manual" };
          if (json && json[1].schema) {
            init.body = JSON.stringify(mswSample(json[1].schema, doc, mswRandom(1, path, method)));
            init.headers = { "content-type": json[0] };
          }
          const response = await fetch(url, init);
          called++;
          const responses = op.responses as Record<string, unknown>;
          const declared = Object.keys(responses);
          const status = String(response.status);
          const key = declared.includes(status) ? status : declared.includes(`${status[0]}XX`) ? `${status[0]}XX` : "default";
          const where = `${method.toUpperCase()} ${path} → ${status}`;
          if (!/^2/.test(status) && declared.some((s) => /^2/.test(s))) {
            failures.push(`${where}: not a 2xx (${response.headers.get("x-mock-request-problem") ?? (await response.text()).slice(0, 200)})`);
            continue;
          }
          const declaredResponse = deref(responses[key]);
          for (const [header, raw] of Object.entries((declaredResponse.headers ?? {}) as Record<string, unknown>)) {
            const required = deref(raw).required === true || header.toLowerCase() === "location";
            if (required && header.toLowerCase() !== "content-type" && !response.headers.has(header)) failures.push(`${where}: no ${header} header`);
          }
          const contentType = response.headers.get("content-type");
          if (!declaredResponse.content || contentType === null) {
            if ((await response.text()) !== "" && declaredResponse.content === undefined) failures.push(`${where}: a body the spec does not declare`);
            continue;
          }
          if (!(contentType in (declaredResponse.content as Doc))) failures.push(`${where}: content type ${contentType} not declared`);
          if (!/json/.test(contentType)) continue;
          const value = await response.json();
          const responseRef = typeof (responses[key] as Doc).$ref === "string" ? String((responses[key] as Doc).$ref) : pointer("paths", path, method, "responses", key);
          const check = validate(`${responseRef}${pointer("content", contentType, "schema").slice(1)}`);
          if (!check(value)) failures.push(`${where}: ${JSON.stringify(check.errors?.slice(0, 2))}`);
        }
      }
    } finally {
      server.close();
    }
    expect(failures).toEqual([]);
    expect(called).toBeGreaterThan(0);
  });
});

function validateTarget(doc: Doc, ref: string): Doc {
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) node = (node as Doc)[raw.replaceAll("~1", "/").replaceAll("~0", "~")];
  return node as Doc;
}

describe("generate --msw: typed overrides", () => {
  it("compiles under strict flags, and @ts-expect-error marks each undeclared status and wrong body", () => {
    const typeTest = join(tmp, "typeTest.ts");
    return writeFile(
      typeTest,
      `import { createMockHandlers as pets } from "./petstore-expanded/msw.js";
import { createMockHandlers as ttt } from "./tictactoe/msw.js";
import { createMockHandlers as ours } from "./polybridge/msw.js";

const p = pets().mock;
p.reply("findPets", [{ id: 1, name: "Rex" }]);
p.reply("addPet", { id: 2, name: "Tom", tag: "cat" }, { status: 200, once: true });
p.error("find pet by id", 404, { body: { code: 404, message: "no such pet" } }); // \`default\` declares every error
// @ts-expect-error: a pet needs a name
p.reply("findPets", [{ id: 1 }]);
// @ts-expect-error: not an operation
p.reply("findCats", []);
// @ts-expect-error: the error body has the ErrorSchema shape
p.error("deletePet", 500, { body: { code: "E" } });
// @ts-expect-error: 200 is not an error
p.error("deletePet", 200);

const t = ttt().mock;
t.error("get-square", 400);
// @ts-expect-error: get-square declares 200 and 400 only
t.error("get-square", 404);
// @ts-expect-error: get-board declares no error at all
t.error("get-board", 500);
// @ts-expect-error: a board is rows of marks, not numbers
t.reply("get-board", { winner: ".", board: [[1, 2, 3]] });

const o = ours().mock;
o.error("getJob", 404).error("submitJob", 503, { once: true }).networkError("listJobs").delay(10, { operation: "getHealth" });
// @ts-expect-error: getJob's body is a Job
o.reply("getJob", { id: 1 });
// @ts-expect-error: 302 is neither 4xx nor 5xx
o.error("getJob", 302);
// @ts-expect-error: submitJob declares 200 and 202, not 201
o.reply("submitJob", { id: "job_1" }, { status: 201 });
`,
    ).then(() => {
      const files = [typeTest, ...cases.filter((c) => c.compile).map((c) => join(tmp, c.name, "msw.ts"))];
      expect(compileTs(files, { exactOptionalPropertyTypes: true, noUnusedLocals: true, noUnusedParameters: true })).toEqual([]);
    });
  }, 120_000);
});

describe("generate --msw: overrides and answers at run time", () => {
  const start = async (name: string, options: object = {}) => {
    const { createMockHandlers, MockContractError } = await import(join(tmp, name, "msw.ts"));
    const mocks = createMockHandlers({ baseUrl: BASE, ...options });
    const server = setupServer(...mocks.handlers);
    server.listen({ onUnhandledRequest: "error" });
    return { ...mocks, MockContractError, close: () => server.close() };
  };

  it("mock.reply and mock.error answer what they are given, once or until reset", async () => {
    const { mock, reset, close, MockContractError } = await start("petstore-expanded");
    try {
      mock.reply("findPets", [{ id: 7, name: "Rex" }], { once: true });
      expect(await (await fetch(`${BASE}/pets`)).json()).toEqual([{ id: 7, name: "Rex" }]);
      const generated = await fetch(`${BASE}/pets`);
      expect(generated.status).toBe(200);
      expect(await generated.json()).not.toEqual([{ id: 7, name: "Rex" }]);

      mock.error("find pet by id", 404, { body: { code: 404, message: "no pet 9" } });
      for (let i = 0; i < 2; i++) {
        const missing = await fetch(`${BASE}/pets/9`);
        expect(missing.status).toBe(404);
        expect(await missing.json()).toEqual({ code: 404, message: "no pet 9" });
      }
      // Without a body: the `default` answer's schema (ErrorSchema), generated.
      mock.error("deletePet", 503, { once: true });
      const unavailable = await fetch(`${BASE}/pets/1`, { method: "DELETE" });
      expect(unavailable.status).toBe(503);
      expect(Object.keys(await unavailable.json()).sort()).toEqual(["code", "message"]);
      expect((await fetch(`${BASE}/pets/1`, { method: "DELETE" })).status).toBe(204);

      reset();
      expect((await fetch(`${BASE}/pets/9`)).status).toBe(200);

      // Checked at run time too (for plain JS, or a cast).
      expect(() => mock.reply("findPets", [{ id: "x", name: "Rex" }])).toThrow(MockContractError);
      expect(() => mock.error("find pet by id", 404, { body: { message: 1 } })).toThrow(/does not match the spec/);
      expect(() => mock.error("nope", 500)).toThrow(/no operation 'nope'/);
    } finally {
      close();
    }
  });

  it("refuses statuses an operation does not declare, network errors and delays", async () => {
    const { mock, close } = await start("tictactoe");
    try {
      expect(() => mock.error("get-square", 404)).toThrow(/cannot answer 404: the spec declares 200, 400/);
      expect(() => mock.reply("get-board", {}, { status: 201 })).toThrow(/cannot answer 201/);
      mock.networkError("get-board", { once: true });
      await expect(fetch(`${BASE}/board`)).rejects.toThrow(TypeError);
      mock.delay(150, { operation: "get-board", once: true });
      const t = performance.now();
      expect((await fetch(`${BASE}/board`)).status).toBe(200);
      expect(performance.now() - t).toBeGreaterThanOrEqual(140);
      // tictactoe's 400 for get-square is text/html in the spec: answered as such.
      mock.error("get-square", 400, { once: true });
      const bad = await fetch(`${BASE}/board/1/1`);
      expect([bad.status, bad.headers.get("content-type")]).toEqual([400, "text/html"]);
    } finally {
      close();
    }
  });

  it("generated data depends on the seed only, and a request that breaks the spec gets its declared error", async () => {
    const bodies: unknown[] = [];
    for (const seed of [5, 5, 6]) {
      const { close } = await start("polymorphism", { seed });
      try {
        bodies.push(await (await fetch(`${BASE}/mypets`)).json());
      } finally {
        close();
      }
    }
    expect(bodies[0]).toEqual(bodies[1]);
    expect(bodies[0]).not.toEqual(bodies[2]);

    const { close } = await start("petstore-expanded");
    try {
      const wrong = await fetch(`${BASE}/pets`, { method: "POST", body: JSON.stringify({ tag: 1 }), headers: { "content-type": "application/json" } });
      expect(wrong.status).toBe(400);
      expect(wrong.headers.get("x-mock-request-problem")).toMatch(/invalid request body: \/name/);
      const right = await fetch(`${BASE}/pets`, { method: "POST", body: JSON.stringify({ name: "Tom" }), headers: { "content-type": "application/json" } });
      expect(right.status).toBe(200);
    } finally {
      close();
    }
  });

  it("sends the headers an answer declares as required, and Location", async () => {
    const { mock, close } = await start("polybridge");
    try {
      const submit = { method: "POST", body: JSON.stringify({ kind: "map", function: "square", input: { items: [1] } }), headers: { "content-type": "application/json" } };
      const accepted = await fetch(`${BASE}/v1/jobs`, submit);
      expect(accepted.status).toBe(200);
      expect(accepted.headers.get("location")).toMatch(/\S/);
      // A job the spec allows (the generated one), answered with a 202 and our own Location.
      mock.reply("submitJob", await accepted.json(), { status: 202, headers: { location: "/v1/jobs/job_1" }, once: true });
      expect((await fetch(`${BASE}/v1/jobs`, submit)).headers.get("location")).toBe("/v1/jobs/job_1");
    } finally {
      close();
    }
  });
});
