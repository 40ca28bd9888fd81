import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** Absolute path of `spec/openapi.yaml`, the single source of truth of the protocol. */
export const specPath: string = fileURLToPath(new URL("../openapi.yaml", import.meta.url));

/** A JSON Schema or OpenAPI object as parsed from YAML. */
export type JsonObject = { [key: string]: unknown };

let cached: JsonObject | undefined;

/**
 * Parses `spec/openapi.yaml` once and returns the document (shared: do not mutate).
 *
 * @example
 * const doc = loadSpec();
 * console.log((doc.info as { version: string }).version);
 */
export function loadSpec(): JsonObject {
  cached ??= parseOneByte(readFileSync(specPath, "utf8")) as JsonObject;
  return cached;
}

/** Stands for one character past U+00FF while the YAML is parsed. */
const MARKER = /~~U\+([0-9A-F]{4,6})~~/g;

/**
 * YAML parsed from a one-byte string. V8 keeps a string with any character past U+00FF at two
 * bytes per character, and so every key the parser slices from it; keys are interned, so from
 * then on the same words as property names anywhere in the process ("progress", "createdAt", …)
 * are those two-byte strings, and every `JSON.stringify` of a job was two-byte text: twice the
 * memory, and a UTF-16 to UTF-8 conversion on each socket write. The few such characters of the
 * spec (dashes and arrows in descriptions) are swapped for ASCII markers while parsing, then put
 * back into the strings that had them.
 */
function parseOneByte(text: string): unknown {
  if (text.includes("~~U+")) return parse(text); // markers would be ambiguous: parse as is
  const marked = text.replace(/[^\u0000-\u00ff]/gu, (c) => `~~U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}~~`);
  if (marked === text) return parse(text);
  // `replace` keeps the two-byte representation of its subject; a Latin-1 round trip makes it one-byte.
  return restore(parse(Buffer.from(marked, "latin1").toString("latin1")));
}

function restore(node: unknown): unknown {
  if (typeof node === "string") return node.includes("~~U+") ? node.replace(MARKER, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16))) : node;
  if (Array.isArray(node)) return node.map(restore);
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node as JsonObject)) out[restore(key) as string] = restore(value);
  return out;
}
