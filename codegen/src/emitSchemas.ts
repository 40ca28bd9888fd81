import { isObject, resolveLocalRef, type JsonObject } from "./loadDocument.js";
import { schemaToZod, type ZodContext } from "./schemaToZod.js";
import { chainText, exportConstText, inlineObjectText, moduleText, propertyText, stringText, zText } from "./tsText.js";
import type { SchemaPlan } from "./planSchemas.js";

/**
 * Prints `schemas.ts`: one zod 4 schema per component schema (dependencies first; cycles go
 * through `z.lazy` and are typed `z.ZodType<unknown>` because TypeScript cannot infer them),
 * then the inline schemas of operation bodies and responses.
 */
export function emitSchemas(doc: JsonObject, plan: SchemaPlan, header: string): string {
  const refs = [...plan.components.keys()];
  const deps = new Map(refs.map((ref) => [ref, collectRefs(plan.components.get(ref)?.schema, doc)]));
  const { order, cyclic } = stronglyConnected(refs, deps);
  const emitted = new Set<string>();
  const nameOf = (ref: string): string => {
    const entry = plan.components.get(ref);
    if (!entry) throw new Error(`unresolvable $ref ${ref}`);
    return entry.name;
  };
  const ctx: ZodContext = {
    doc,
    isLazy: (ref) => !emitted.has(ref),
    ref: (ref) => {
      const id = nameOf(ref);
      return emitted.has(ref) ? id : zText("lazy", `() => ${id}`);
    },
  };
  const statements = ['import { z } from "zod";'];
  let usesTypes = false;
  const extended = extendedSchemas(plan.components.values());
  for (const ref of order) {
    const entry = plan.components.get(ref);
    if (!entry) continue;
    const init = withDiscriminatorValue(schemaToZod(entry.schema, ctx), ref, entry.schema, doc, extended);
    // TypeScript cannot infer a schema on a cycle: it is typed by the generated type instead,
    // which also keeps its parse output assignable to that type.
    const type = cyclic.has(ref) ? `z.ZodType<${componentType(ref)}>` : undefined;
    if (type) usesTypes = true;
    statements.push(exportConstText(entry.name, init, { ...(type ? { type } : {}), ...(entry.description ? { doc: entry.description } : {}) }));
    emitted.add(ref);
  }
  for (const item of plan.inline) statements.push(exportConstText(item.name, schemaToZod(item.schema, ctx), { doc: item.doc }));
  if (usesTypes) statements.splice(1, 0, 'import type { components } from "./types.js";');
  // No schema at all: a lone `import { z }` would be an unused import (TS6133 under noUnusedLocals).
  return moduleText(header, statements.length === 1 ? [] : statements);
}

/**
 * A leaf schema that extends (`allOf`, directly or through other schemas) a parent with a
 * `discriminator` carries its own value of the discriminating property — the `mapping` key that
 * points at it, else its name — as openapi-typescript types it (`{ petType: "Dog" } &
 * Omit<Pet, "petType">`): the parse output then has that literal type. Schemas that others
 * extend get no literal: their subtypes must still validate against them.
 */
function withDiscriminatorValue(expr: string, ref: string, schema: unknown, doc: JsonObject, extended: ReadonlySet<string>): string {
  if (extended.has(ref)) return expr;
  const key = ref.slice("#/components/schemas/".length).replaceAll("~1", "/").replaceAll("~0", "~");
  const parent = discriminatingAncestor(schema, doc, new Set([ref]));
  if (!parent) return expr;
  const value = Object.entries(parent.mapping).find(([, target]) => target === ref || target === key)?.[0] ?? key;
  return chainText(expr, "and", zText("object", inlineObjectText([`${propertyText(parent.property)}: ${zText("literal", stringText(value))}`])));
}

function discriminatingAncestor(schema: unknown, doc: JsonObject, seen: Set<string>): { property: string; mapping: JsonObject } | undefined {
  if (!isObject(schema) || !Array.isArray(schema.allOf)) return undefined;
  for (const part of schema.allOf) {
    if (!isObject(part) || typeof part.$ref !== "string" || seen.has(part.$ref)) continue;
    seen.add(part.$ref);
    const parent = resolveLocalRef(doc, part.$ref);
    if (isObject(parent) && isObject(parent.discriminator) && typeof parent.discriminator.propertyName === "string") {
      return { property: parent.discriminator.propertyName, mapping: isObject(parent.discriminator.mapping) ? parent.discriminator.mapping : {} };
    }
    const further = discriminatingAncestor(parent, doc, seen);
    if (further) return further;
  }
  return undefined;
}

/** The component schemas some other component extends through `allOf`. */
function extendedSchemas(components: Iterable<{ schema: unknown }>): Set<string> {
  const out = new Set<string>();
  for (const { schema } of components) {
    if (!isObject(schema) || !Array.isArray(schema.allOf)) continue;
    for (const part of schema.allOf) if (isObject(part) && typeof part.$ref === "string") out.add(part.$ref);
  }
  return out;
}

/** `components["schemas"]["Pet"]` for `#/components/schemas/Pet`. */
function componentType(ref: string): string {
  const key = ref.slice("#/components/schemas/".length).replaceAll("~1", "/").replaceAll("~0", "~");
  return `components["schemas"][${stringText(key)}]`;
}

/** Every component schema `$ref` reachable inside `node` (following non-component local refs once). */
function collectRefs(node: unknown, doc: JsonObject, out = new Set<string>(), seen = new Set<unknown>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, doc, out, seen);
  else if (isObject(node)) {
    if (seen.has(node)) return out;
    seen.add(node);
    if (typeof node.$ref === "string" && node.$ref.startsWith("#/components/schemas/")) out.add(node.$ref);
    for (const value of Object.values(node)) collectRefs(value, doc, out, seen);
  }
  return out;
}

/**
 * Tarjan's algorithm: returns the schemas dependencies-first (document order otherwise) and the
 * set of schemas that sit on a reference cycle.
 */
function stronglyConnected(nodes: readonly string[], deps: Map<string, Set<string>>): { order: string[]; cyclic: Set<string> } {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const order: string[] = [];
  const cyclic = new Set<string>();
  const position = new Map(nodes.map((n, i) => [n, i]));
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of deps.get(node) ?? []) {
      if (!position.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      component.push(top);
      if (top === node) break;
    }
    component.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    if (component.length > 1 || deps.get(node)?.has(node)) for (const member of component) cyclic.add(member);
    order.push(...component);
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return { order, cyclic };
}
