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
  cached ??= parse(readFileSync(specPath, "utf8")) as JsonObject;
  return cached;
}
