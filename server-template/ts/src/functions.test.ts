// Run with `npm test` (node:test on the compiled files: no test framework to install).
import assert from "node:assert/strict";
import { test } from "node:test";
import { FunctionRegistry } from "@polybridge/server/functions";
import functions, { cube } from "./functions.js";
import { conformanceFunctions } from "@polybridge/server/functions";

const ctx = { signal: new AbortController().signal };

test("cube raises to the third power", () => {
  assert.equal(cube.run(3, ctx), 27);
  assert.equal(cube.run(-2, ctx), -8);
});

test("cube's schema rejects what is not a number", () => {
  assert.equal(cube.input.safeParse("3").success, false);
  assert.equal(cube.input.safeParse(1.5).success, true);
});

test("the catalogue holds the conformance set plus cube, each once", () => {
  // FunctionRegistry is what the server builds from this module: it throws on duplicate names.
  const registry = new FunctionRegistry(functions);
  const names = registry.catalogue().map((f) => f.name);
  for (const name of [...conformanceFunctions.map((f) => f.name), "cube"]) assert.ok(names.includes(name), `missing ${name}`);
  assert.deepEqual(registry.info("cube")?.inputSchema, { type: "number" });
});
