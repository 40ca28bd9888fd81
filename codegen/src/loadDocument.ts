import { readFile } from "node:fs/promises";
import { parse } from "yaml";

/** A parsed OpenAPI / JSON Schema document or node. */
export type JsonObject = { [key: string]: unknown };

/** True when `source` names an http(s) URL rather than a file. */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The text of a file or of an http(s) URL; failures are one-line errors naming the source. */
async function readSource(source: string): Promise<string> {
  if (isUrl(source)) {
    let res: Response;
    try {
      res = await fetch(source, { headers: { accept: "application/yaml, application/json;q=0.9, */*;q=0.5" }, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot fetch ${source}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (!res.ok) throw new Error(`cannot fetch ${source}: HTTP ${res.status}`);
    return res.text();
  }
  try {
    return await readFile(source, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${source}: no such file`);
    if (code === "EISDIR") throw new Error(`${source}: is a directory, not an OpenAPI document`);
    throw new Error(`${source}: cannot read (${code ?? (error as Error).message})`);
  }
}

/**
 * Reads an OpenAPI document (YAML or JSON; JSON is valid YAML) from a file or an http(s) URL and
 * checks that it is OpenAPI 3.x. Every failure is an Error with a one-line message naming the source.
 *
 * @example
 * const doc = await loadDocument("spec/openapi.yaml");
 * const remote = await loadDocument("https://example.com/openapi.json");
 */
export async function loadDocument(source: string): Promise<JsonObject> {
  const text = await readSource(source);
  let doc: unknown;
  try {
    // JSON is valid YAML, but JSON.parse reads a 10 MB document many times faster.
    doc = text.trimStart().startsWith("{") ? JSON.parse(text) : parse(text);
  } catch (error) {
    const first = (error as Error).message.split("\n")[0]?.replace(/:$/, "") ?? "parse error";
    throw new Error(`${source}: not valid YAML or JSON (${first})`);
  }
  if (!isObject(doc)) throw new Error(`${source}: not an OpenAPI document (expected an object)`);
  const version = doc.openapi;
  if (typeof version !== "string" || !/^3\.[01]\./.test(version + ".")) {
    throw new Error(`${source}: only OpenAPI 3.0 and 3.1 are supported (openapi: ${String(version)})`);
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
