import type { JsonObject } from "./loadSpec.js";

/**
 * Returns a copy of `node` with every local `$ref` (`#/...`) inlined from `doc`.
 * The protocol's schemas are not recursive, so full inlining terminates; a cycle throws.
 * `discriminator.mapping` is dropped because Ajv derives the branch from each `const`.
 *
 * @example
 * const jobSchema = deref(loadSpec(), { $ref: "#/components/schemas/Job" });
 */
export function deref(doc: JsonObject, node: unknown, seen: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => deref(doc, item, seen));
  if (node === null || typeof node !== "object") return node;
  const obj = node as JsonObject;
  const ref = obj.$ref;
  if (typeof ref === "string") {
    if (seen.includes(ref)) throw new Error(`recursive $ref ${ref} cannot be inlined`);
    const { $ref: _ignored, ...siblings } = obj;
    const target = deref(doc, resolvePointer(doc, ref), [...seen, ref]) as JsonObject;
    return Object.keys(siblings).length === 0 ? target : { ...target, ...(deref(doc, siblings, seen) as JsonObject) };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === "discriminator" && value !== null && typeof value === "object") {
      out[key] = { propertyName: (value as JsonObject).propertyName };
      continue;
    }
    out[key] = deref(doc, value, seen);
  }
  return out;
}

/** Resolves a local JSON Pointer such as `#/components/schemas/Job`. */
export function resolvePointer(doc: JsonObject, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, got ${ref}`);
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (cur === null || typeof cur !== "object" || !(key in cur)) throw new Error(`unresolvable $ref ${ref}`);
    cur = (cur as JsonObject)[key];
  }
  return cur;
}
