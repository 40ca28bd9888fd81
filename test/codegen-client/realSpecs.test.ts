// Generated output for real public OpenAPI documents shipped in npm packages (pinned
// devDependencies), our fixtures and our own contract: generated with the client, then compiled
// under the strictest settings with NodeNext and Bundler resolution, with a check that every
// component's zod output type is assignable to openapi-typescript's type for it.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "@polybridge/codegen";
import { compileStrict, RESOLUTIONS } from "./compileStrict.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tmp = join(root, "test", ".tmp", `codegen-real-${process.pid}`);
// By path: some of these packages list no such files in their `exports`.
const resolve = (file: string): string => join(root, "node_modules", file);
const FILES = ["types.ts", "schemas.ts", "operations.ts", "enums.ts", "client.ts"];

interface Case {
  name: string;
  spec: string;
  version: "3.0" | "3.1";
}

// Real public APIs first (package@version pinned in the root package.json), then examples and ours.
const cases: Case[] = [
  { name: "github-webhooks", spec: resolve("@octokit/openapi-webhooks/generated/api.github.com.json"), version: "3.1" },
  { name: "blockfrost", spec: resolve("@blockfrost/openapi/openapi.yaml"), version: "3.0" },
  { name: "directus", spec: resolve("@directus/specs/dist/openapi.json"), version: "3.0" },
  { name: "uspto", spec: resolve("@readme/oas-examples/3.0/json/uspto.json"), version: "3.0" },
  { name: "star-trek", spec: resolve("@readme/oas-examples/3.0/json/star-trek.json"), version: "3.0" },
  { name: "train-travel", spec: resolve("@readme/oas-examples/3.1/json/train-travel.json"), version: "3.1" },
  { name: "readme", spec: resolve("@readme/oas-examples/3.1/json/readme.json"), version: "3.1" },
  { name: "petstore-3.0", spec: resolve("@readme/oas-examples/3.0/json/petstore.json"), version: "3.0" },
  { name: "petstore-3.1", spec: resolve("@readme/oas-examples/3.1/json/petstore.json"), version: "3.1" },
  { name: "webhooks-3.1", spec: resolve("@readme/oas-examples/3.1/json/webhooks.json"), version: "3.1" },
  { name: "security-3.1", spec: resolve("@readme/oas-examples/3.1/json/security.json"), version: "3.1" },
  { name: "callbacks-3.0", spec: resolve("@readme/oas-examples/3.0/json/callbacks.json"), version: "3.0" },
  { name: "circular-3.0", spec: resolve("@readme/oas-examples/3.0/json/circular.json"), version: "3.0" },
  { name: "petstore-expanded", spec: join(root, "codegen", "test", "fixtures", "petstore-expanded.yaml"), version: "3.0" },
  { name: "tictactoe", spec: join(root, "codegen", "test", "fixtures", "tictactoe.yaml"), version: "3.1" },
  { name: "polymorphism", spec: join(root, "codegen", "test", "fixtures", "polymorphism.yaml"), version: "3.0" },
  { name: "oneof-discriminator", spec: join(root, "codegen", "test", "fixtures", "oneof-discriminator.yaml"), version: "3.0" },
  { name: "things", spec: join(root, "test", "fixtures", "specs", "things.yaml"), version: "3.1" },
  { name: "polybridge", spec: join(root, "spec", "openapi.yaml"), version: "3.1" },
];
// GitHub's REST API (1,100+ operations, a 13 MB document): compiled on its own, without the
// assignability check (tens of thousands of zod output types would take minutes).
const github: Case = { name: "github-rest", spec: resolve("@octokit/openapi/generated/api.github.com.json"), version: "3.0" };

/**
 * Component schemas whose zod output is not assignable to openapi-typescript's type, and why.
 * Everything else in every document above is checked.
 */
const KNOWN_GAPS: Record<string, { keys: string[]; why: string }> = {
  // A `type` list next to `oneOf` alternatives (`type: [string, array, null]` + `oneOf: [string,
  // string[]]`): zod intersects them (what JSON Schema means); openapi-typescript distributes them
  // into `(unknown[] & string) | (unknown[] & string[])`, which no JSON value has.
  "github-webhooks": {
    keys: [
      "custom-property", "custom-property-value", "webhook-custom-property-created", "webhook-custom-property-promoted-to-enterprise",
      "webhook-custom-property-updated", "webhook-custom-property-values-updated", "webhook-deployment-status-created",
      "webhook-projects-v2-item-edited", "webhook-registry-package-published",
    ],
    why: "type list + oneOf",
  },
  // openapi-typescript writes a discriminator's value into the oneOf members (`Cat` gets a required
  // `petType: "cat"` that its own schema leaves optional); the zod schema of `Cat` stays what Cat says.
  "oneof-discriminator": { keys: ["Cat", "Dog", "Pet"], why: "discriminator value injected into oneOf members" },
  // Intermediate schemas of a discriminated hierarchy (Reptile, extended by Lizard and Snake; B,
  // extended by C): openapi-typescript pins their own discriminator value, which their subtypes'
  // payloads do not carry, so the zod schema cannot pin it without refusing valid subtypes.
  polymorphism: { keys: ["Reptile", "B"], why: "intermediate schemas of a discriminated allOf hierarchy" },
};

const timings: string[] = [];

async function generateCase(c: Case): Promise<string[]> {
  const started = performance.now();
  const out = join(tmp, c.name);
  await generate({ spec: c.spec, out, source: c.name, client: true });
  const text = await readFile(c.spec, "utf8");
  const doc = (c.spec.endsWith(".json") ? JSON.parse(text) : parse(text)) as { openapi: string; paths?: object; webhooks?: object };
  expect(doc.openapi.startsWith(c.version)).toBe(true);
  timings.push(`${c.name}: ${Math.round(performance.now() - started)} ms`);
  return FILES.map((f) => join(out, f));
}

/**
 * `check.ts`: for every component schema that has a zod export of the same name, its parse
 * output must be assignable to the generated type (under exactOptionalPropertyTypes).
 */
async function assignabilityCheck(c: Case): Promise<{ file: string; checked: number }> {
  const out = join(tmp, c.name);
  const text = await readFile(c.spec, "utf8");
  const doc = (c.spec.endsWith(".json") ? JSON.parse(text) : parse(text)) as { components?: { schemas?: Record<string, unknown> } };
  const exported = new Set([...(await readFile(join(out, "schemas.ts"), "utf8")).matchAll(/^export const (\w+)/gm)].map((m) => m[1]));
  const lines = [
    `import type { z } from "zod";`,
    `import type * as S from "./schemas.js";`,
    `import type { components } from "./types.js";`,
    `type Assignable<A extends B, B> = [A, B];`,
  ];
  let checked = 0;
  const gaps = new Set(KNOWN_GAPS[c.name]?.keys ?? []);
  for (const key of Object.keys(doc.components?.schemas ?? {})) {
    if (gaps.has(key)) continue;
    const name = key.replace(/[^A-Za-z0-9_$]/g, "_").replace(/^([0-9])/, "_$1");
    if (!exported.has(name)) continue;
    lines.push(`export type Check${checked} = Assignable<z.output<typeof S.${name}>, components["schemas"][${JSON.stringify(key)}]>;`);
    checked += 1;
  }
  if (checked === 0) lines.splice(0);
  const file = join(out, "check.ts");
  await writeFile(file, `${lines.join("\n")}\nexport {};\n`);
  return { file, checked };
}

const files: string[] = [];

beforeAll(async () => {
  await rm(tmp, { recursive: true, force: true });
  for (const c of cases) files.push(...(await generateCase(c)));
}, 300_000);

afterAll(async () => {
  console.log(`generate --client times:\n  ${timings.join("\n  ")}`);
  await rm(tmp, { recursive: true, force: true });
});

describe("generated code for real public specs", () => {
  it("covers at least 10 documents from npm packages, 3.0 and 3.1, and includes webhooks in the operations table", async () => {
    const fromNpm = [...cases, github].filter((c) => c.spec.includes("node_modules"));
    expect(fromNpm.length).toBeGreaterThanOrEqual(10);
    expect(new Set(fromNpm.map((c) => c.version))).toEqual(new Set(["3.0", "3.1"]));
    const hooks = await readFile(join(tmp, "github-webhooks", "operations.ts"), "utf8");
    const table = hooks.slice(hooks.indexOf("export const webhooks"));
    expect(table.split("\n").length).toBeGreaterThan(100);
    // Webhooks without operationId get method + name keys, like paths.
    expect(await readFile(join(tmp, "webhooks-3.1", "operations.ts"), "utf8")).toMatch(/export const webhooks = \{\n\s+postNewPet,\n\s+deleteNewPet\n\};/);
  });

  it("never leaves schemas.ts as a lone unused zod import", async () => {
    for (const c of cases) {
      const text = await readFile(join(tmp, c.name, "schemas.ts"), "utf8");
      if (!/^export const /m.test(text)) expect(text, c.name).not.toContain(`from "zod"`);
    }
  });

  it.each(RESOLUTIONS)("compiles under the strictest settings with %s resolution, zod outputs assignable to the types", async (resolution) => {
    const checks = await Promise.all(cases.map(assignabilityCheck));
    expect(checks.reduce((n, c) => n + c.checked, 0)).toBeGreaterThan(300);
    expect(compileStrict([...files, ...checks.map((c) => c.file)], resolution)).toEqual([]);
  }, 300_000);

  it("compiles GitHub's REST API (1,100+ operations) under the strictest settings", async () => {
    const ghFiles = await generateCase(github);
    const client = await readFile(join(tmp, github.name, "client.ts"), "utf8");
    expect([...client.matchAll(/^export function /gm)].length).toBeGreaterThan(1_000);
    for (const resolution of RESOLUTIONS) expect(compileStrict(ghFiles, resolution), resolution).toEqual([]);
  }, 600_000);
});
