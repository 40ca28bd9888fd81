import { readFile } from "node:fs/promises";
import { parse } from "yaml";

/** A parsed OpenAPI / JSON Schema document or node. */
export type JsonObject = { [key: string]: unknown };

/**
 * Reads an OpenAPI document (YAML or JSON; JSON is valid YAML) and checks that it is OpenAPI 3.x.
 *
 * @example
 * const doc = await loadDocument("spec/openapi.yaml");
 */
export async function loadDocument(file: string): Promise<JsonObject> {
  const text = await readFile(file, "utf8");
  // JSON is valid YAML, but JSON.parse reads a 10 MB document many times faster.
  const doc: unknown = text.trimStart().startsWith("{") ? JSON.parse(text) : parse(text);
  if (!isObject(doc)) throw new Error(`${file}: not an OpenAPI document (expected an object)`);
  const version = doc.openapi;
  if (typeof version !== "string" || !/^3\.[01]\./.test(version + ".")) {
    throw new Error(`${file}: only OpenAPI 3.0 and 3.1 are supported (openapi: ${String(version)})`);
  }
  return doc;
}

/** True for plain JSON objects (not arrays, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Resolves a local JSON Pointer (`#/components/schemas/Pet`) in `doc`; undefined when it does not exist. */
export function resolveLocalRef(doc: JsonObject, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  let cur: unknown = doc;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as JsonObject)[key];
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Follows `$ref`s (of parameters, responses, request bodies) until a non-reference object. */
export function deref(doc: JsonObject, node: unknown, depth = 0): JsonObject | undefined {
  if (!isObject(node)) return undefined;
  if (typeof node.$ref !== "string") return node;
  if (depth > 32) throw new Error(`$ref chain too deep at ${node.$ref}`);
  return deref(doc, resolveLocalRef(doc, node.$ref), depth + 1);
}
