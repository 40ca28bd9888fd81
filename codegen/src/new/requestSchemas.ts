import { deref, isObject, resolveLocalRef, type JsonObject } from "../loadDocument.js";

/** JSON Schemas of one operation's request, as fastify's route `schema` takes them. */
export interface RequestSchemas {
  params?: JsonObject;
  querystring?: JsonObject;
  body?: JsonObject;
}

// OpenAPI-only annotations that Ajv's strict mode (fastify's validator) rejects as unknown keywords.
const OPENAPI_ONLY = new Set(["example", "xml", "externalDocs", "discriminator", "nullable"]);

/**
 * A schema with every local `$ref` replaced by its target, so it validates on its own. A
 * recursive reference becomes `{}` (accept anything) at the point where it recurs: fastify
 * cannot be given the document's components, and unrolling a cycle never ends.
 */
export function inlineSchema(doc: JsonObject, node: unknown, seen: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(node)) return node.map((item) => inlineSchema(doc, item, seen));
  if (!isObject(node)) return node;
  if (typeof node.$ref === "string") {
    const ref = node.$ref;
    if (seen.has(ref)) return {};
    const target = resolveLocalRef(doc, ref);
    if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
    const { $ref: _ref, ...siblings } = node;
    const inlined = inlineSchema(doc, target, new Set([...seen, ref]));
    return Object.keys(siblings).length === 0 ? inlined : { allOf: [inlined, inlineSchema(doc, siblings, seen)] };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (OPENAPI_ONLY.has(key)) continue;
    // Under `properties` the keys are field names, not keywords: keep them all.
    out[key] = key === "properties" && isObject(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inlineSchema(doc, v, seen)]))
      : inlineSchema(doc, value, seen);
  }
  return out;
}

function parameterObject(doc: JsonObject, params: readonly JsonObject[]): JsonObject | undefined {
  if (params.length === 0) return undefined;
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const p of params) {
    properties[p.name as string] = inlineSchema(doc, p.schema ?? {});
    if (p.required === true || p.in === "path") required.push(p.name as string);
  }
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}) };
}

/**
 * Builds the validation schemas of an operation from its path-level and operation-level
 * parameters and its JSON request body.
 *
 * @example
 * requestSchemas(doc, "/v1/stats/{id}", "get"); // { params: { type: "object", properties: { id: … }, required: ["id"] } }
 */
export function requestSchemas(doc: JsonObject, path: string, method: string): RequestSchemas {
  const item = deref(doc, isObject(doc.paths) ? doc.paths[path] : undefined);
  const op = item ? deref(doc, item[method.toLowerCase()]) : undefined;
  if (!item || !op) throw new Error(`no operation ${method} ${path}`);
  const byKey = new Map<string, JsonObject>();
  for (const raw of [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
    const p = deref(doc, raw);
    if (p && typeof p.name === "string" && typeof p.in === "string") byKey.set(`${p.in}:${p.name}`, p);
  }
  const where = (location: string): JsonObject[] => [...byKey.values()].filter((p) => p.in === location);
  const params = parameterObject(doc, where("path"));
  const querystring = parameterObject(doc, where("query"));
  const body = deref(doc, op.requestBody);
  const media = body && isObject(body.content) ? body.content["application/json"] : undefined;
  const bodySchema = isObject(media) && media.schema !== undefined ? inlineSchema(doc, media.schema) : undefined;
  return {
    ...(params ? { params } : {}),
    ...(querystring ? { querystring } : {}),
    ...(isObject(bodySchema) ? { body: bodySchema } : {}),
  };
}
