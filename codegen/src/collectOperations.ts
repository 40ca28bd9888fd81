import { deref, isObject, type JsonObject } from "./loadDocument.js";
import { IdentifierPool, toIdentifier } from "./identifiers.js";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** One parameter of an operation, as the runtime client needs it. */
export interface ParameterModel {
  name: string;
  required: boolean;
}

/** A schema used by an operation: either a `$ref` to a component schema, or an inline schema. */
export type SchemaUse = { ref: string } | { inline: unknown };

/** Everything about one operation that codegen emits. */
export interface OperationModel {
  /** The key in the operation table: the document's `operationId`, else one made from method + path. */
  key: string;
  /** A unique camelCase identifier for names derived from the operation (`findPetById`). */
  ident: string;
  method: string;
  /** The path template; for a webhook, its name. */
  path: string;
  /** Set for an operation of `webhooks` (3.1): the webhook's name. Its type is `webhooks[name][method]`. */
  webhook?: string;
  summary?: string;
  description?: string;
  deprecated?: boolean;
  /** Security alternatives (scheme names), the document's `security` when the operation has none. */
  security?: string[][];
  params: { path: ParameterModel[]; query: ParameterModel[]; header: ParameterModel[] };
  body?: { required: boolean; contentType: string; schema?: SchemaUse };
  /** Status (`"200"`, `"4XX"`, `"default"`) → content type → schema (absent when the media type has none). */
  responses: Array<{ status: string; content: Array<{ contentType: string; schema?: SchemaUse }> }>;
}

/**
 * Walks `paths` in document order and returns one model per operation. Operation keys are
 * unique; missing `operationId`s become e.g. `getPetsId` for `GET /pets/{id}`.
 */
export function collectOperations(doc: JsonObject): OperationModel[] {
  return collect(doc, isObject(doc.paths) ? doc.paths : {}, false, new Set(), new IdentifierPool(RESERVED, ""));
}

/**
 * The operations of `webhooks` (OpenAPI 3.1): requests the API sends, keyed like operations (ids
 * and identifiers unique across both lists when given the same `taken` from `collectOperations`).
 */
export function collectWebhooks(doc: JsonObject, ops: readonly OperationModel[]): OperationModel[] {
  const pool = new IdentifierPool([...RESERVED, ...ops.map((o) => o.ident)], "");
  return collect(doc, isObject(doc.webhooks) ? doc.webhooks : {}, true, new Set(ops.map((o) => o.key)), pool);
}

// Names the generated operations.ts and client.ts export besides one per operation.
const RESERVED = ["operations", "webhooks", "securitySchemes", "OperationId", "WebhookId", "paths", "components"];

function collect(doc: JsonObject, items: JsonObject, webhooks: boolean, keys: Set<string>, idents: IdentifierPool): OperationModel[] {
  const out: OperationModel[] = [];
  const docSecurity = securityOf(doc.security);
  for (const [path, rawItem] of Object.entries(items)) {
    const item = deref(doc, rawItem);
    if (!item) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = deref(doc, item[method]);
      if (!op) continue;
      let key = typeof op.operationId === "string" && op.operationId.length > 0 ? op.operationId : synthesizeKey(method, path);
      for (let i = 2; keys.has(key); i++) key = `${key}_${i}`;
      keys.add(key);
      const security = securityOf(op.security) ?? docSecurity;
      out.push({
        key,
        ident: idents.take(toIdentifier(key, { camel: true })),
        method: method.toUpperCase(),
        path,
        ...(webhooks ? { webhook: path } : {}),
        ...(typeof op.summary === "string" && op.summary.trim() ? { summary: op.summary.trim() } : {}),
        ...(typeof op.description === "string" && op.description.trim() ? { description: op.description.trim() } : {}),
        ...(op.deprecated === true ? { deprecated: true } : {}),
        ...(security ? { security } : {}),
        params: collectParameters(doc, [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]),
        ...bodyOf(doc, op.requestBody),
        responses: responsesOf(doc, op.responses),
      });
    }
  }
  return out;
}

function securityOf(raw: unknown): string[][] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return raw.filter(isObject).map((requirement) => Object.keys(requirement));
}

function synthesizeKey(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return method + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

function collectParameters(doc: JsonObject, raw: unknown[]): OperationModel["params"] {
  // Operation-level parameters override path-level ones with the same name and location.
  const byKey = new Map<string, { in: string; name: string; required: boolean }>();
  for (const entry of raw) {
    const p = deref(doc, entry);
    if (!p || typeof p.name !== "string" || typeof p.in !== "string") continue;
    byKey.set(`${p.in}:${p.name}`, { in: p.in, name: p.name, required: p.required === true || p.in === "path" });
  }
  const pick = (where: string): ParameterModel[] =>
    [...byKey.values()].filter((p) => p.in === where).map(({ name, required }) => ({ name, required }));
  return { path: pick("path"), query: pick("query"), header: pick("header") };
}

function schemaUse(node: unknown): SchemaUse | undefined {
  if (node === undefined) return undefined;
  if (isObject(node) && typeof node.$ref === "string" && node.$ref.startsWith("#/components/schemas/")) {
    return { ref: node.$ref };
  }
  return { inline: node };
}

/** Prefers JSON media types, the only ones the runtime client encodes and validates. */
function preferredContent(content: JsonObject): Array<[string, JsonObject]> {
  return Object.entries(content).filter((e): e is [string, JsonObject] => isObject(e[1]));
}

function bodyOf(doc: JsonObject, raw: unknown): Pick<OperationModel, "body"> {
  const body = deref(doc, raw);
  if (!body || !isObject(body.content)) return {};
  const entries = preferredContent(body.content);
  const chosen = entries.find(([type]) => isJsonType(type)) ?? entries[0];
  if (!chosen) return {};
  const schema = schemaUse(chosen[1].schema);
  return { body: { required: body.required === true, contentType: chosen[0], ...(schema ? { schema } : {}) } };
}

function responsesOf(doc: JsonObject, raw: unknown): OperationModel["responses"] {
  if (!isObject(raw)) return [];
  return Object.entries(raw).map(([status, rawResponse]) => {
    const response = deref(doc, rawResponse);
    const content = response && isObject(response.content) ? preferredContent(response.content) : [];
    return {
      status,
      content: content.map(([contentType, media]) => {
        const schema = schemaUse(media.schema);
        return { contentType, ...(schema ? { schema } : {}) };
      }),
    };
  });
}

/** `application/json`, `application/problem+json`, `application/vnd.x+json`. */
export function isJsonType(type: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json$/i.test(type.split(";")[0]?.trim() ?? "");
}
