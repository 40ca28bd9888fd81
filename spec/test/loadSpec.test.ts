import { readFileSync } from "node:fs";
import { serialize } from "node:v8";
import { parse } from "yaml";
import { expect, it } from "vitest";
import { loadSpec, specPath } from "../src/index.js";

/** V8's serializer tags a one-byte string `"` and a two-byte one `c`. */
const isOneByte = (text: string): boolean => serialize(text)[2] === 0x22;

it("gives the document exactly as YAML parses it, the spec's dashes and arrows included", () => {
  const text = readFileSync(specPath, "utf8");
  expect(text).toMatch(/[—→…]/); // else this test proves nothing
  expect(loadSpec()).toEqual(parse(text));
  expect(JSON.stringify(loadSpec())).toContain("—");
});

it("leaves the spec's keys one-byte strings, so JSON made with the same property names stays one-byte", () => {
  loadSpec();
  // Made at run time, after the spec was parsed: interning finds the spec's copy of the word.
  const key = ["OpenApi", "Document"].join("");
  expect(Object.keys((loadSpec().components as { schemas: object }).schemas)).toContain(key);
  expect(isOneByte(JSON.stringify({ [key]: 1 }))).toBe(true);
  expect(isOneByte("—")).toBe(false); // the probe tells the two apart
});
