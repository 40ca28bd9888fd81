import { pathToFileURL } from "node:url";
import type { FunctionDefinition } from "@polybridge/core/functions";
import { FunctionRegistry } from "@polybridge/core/functions";

/**
 * Imports function modules (paths or file URLs), each exporting as default an array of
 * definitions, and builds a registry.
 *
 * @example
 * const registry = await loadRegistry([builtinsModule, "/srv/my-functions.js"]);
 */
export async function loadRegistry(modules: readonly string[]): Promise<FunctionRegistry> {
  const defs: FunctionDefinition[] = [];
  for (const spec of modules) {
    const url = /^[a-z]+:/i.test(spec) ? spec : pathToFileURL(spec).href;
    const mod = (await import(url)) as { default?: unknown };
    if (!Array.isArray(mod.default)) throw new Error(`${spec} must export default an array of function definitions`);
    defs.push(...(mod.default as FunctionDefinition[]));
  }
  return new FunctionRegistry(defs);
}
