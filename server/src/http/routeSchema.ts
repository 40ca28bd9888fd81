import { operations, type JsonObject } from "@polybridge/spec";
import type { FastifySchema } from "fastify";

/**
 * Prepares a response schema for fast-json-stringify: it drops properties a schema does not
 * declare, so free-form objects (JSON Schemas in the catalogue) must say so, and it does not
 * know OpenAPI's `discriminator`.
 */
function forSerializer(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forSerializer);
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node as JsonObject)) {
    if (key === "discriminator" || key === "examples") continue;
    out[key] = forSerializer(value);
  }
  if (out.type === "object" && out.properties === undefined && out.additionalProperties === undefined) {
    out.additionalProperties = true;
  }
  return out;
}

/**
 * The fastify route schema of an operation, taken from spec/openapi.yaml (never hand-copied):
 * params, query, headers and JSON body for validation; 2xx JSON responses for serialization.
 *
 * @example
 * app.post("/v1/jobs", { schema: routeSchema("submitJob") }, handler);
 */
export function routeSchema(operationId: string): FastifySchema {
  const op = operations().get(operationId);
  if (!op) throw new Error(`spec has no operation '${operationId}'`);
  const response: Record<string, unknown> = {};
  for (const [status, byType] of Object.entries(op.responses)) {
    const json = byType["application/json"];
    if (status.startsWith("2") && json) response[status] = forSerializer(json);
  }
  return {
    ...(op.params ? { params: op.params } : {}),
    ...(op.querystring ? { querystring: op.querystring } : {}),
    ...(op.headers ? { headers: op.headers } : {}),
    ...(op.body ? { body: op.body } : {}),
    response,
  };
}

/** Path templates of the spec in fastify's syntax (`{id}` → `:id`). */
export function fastifyPath(operationId: string): string {
  const op = operations().get(operationId);
  if (!op) throw new Error(`spec has no operation '${operationId}'`);
  return op.path.replace(/\{([^}]+)\}/g, ":$1");
}
