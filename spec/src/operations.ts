import { routeMatcher, type RouteMatch } from "@polybridge/core";
import { deref } from "./deref.js";
import { loadSpec, type JsonObject } from "./loadSpec.js";

/** HTTP methods that OpenAPI path items may hold. */
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

/** One operation of the spec with every schema inlined. */
export interface OperationSchemas {
  operationId: string;
  method: string;
  /** OpenAPI path template, e.g. `/v1/jobs/{id}`. */
  path: string;
  /** JSON Schema objects for the parameters, in fastify's shape (`properties` + `required`). */
  params?: JsonObject;
  querystring?: JsonObject;
  headers?: JsonObject;
  /** Schema of the `application/json` request body. */
  body?: JsonObject;
  /** Response schemas by status (`"200"`, `"4XX"`, …) then by content type. */
  responses: Record<string, Record<string, JsonObject>>;
}

let cached: Map<string, OperationSchemas> | undefined;
let matcher: ((method: string, pathname: string) => RouteMatch) | undefined;

/**
 * Every operation of `spec/openapi.yaml`, keyed by `operationId`, with schemas inlined.
 *
 * @example
 * const submit = operations().get("submitJob");
 * console.log(submit?.path); // "/v1/jobs"
 */
export function operations(): Map<string, OperationSchemas> {
  if (cached) return cached;
  const doc = loadSpec();
  const out = new Map<string, OperationSchemas>();
  for (const [path, rawItem] of Object.entries(doc.paths as JsonObject)) {
    const item = rawItem as JsonObject;
    const shared = (item.parameters as unknown[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as JsonObject | undefined;
      if (!op) continue;
      const params = [...shared, ...((op.parameters as unknown[] | undefined) ?? [])].map(
        (p) => deref(doc, p) as JsonObject,
      );
      const entry: OperationSchemas = {
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        path,
        responses: {},
      };
      for (const where of ["path", "query", "header"] as const) {
        const list = params.filter((p) => p.in === where);
        if (list.length === 0) continue;
        const schema: JsonObject = {
          type: "object",
          properties: Object.fromEntries(
            list.map((p) => [where === "header" ? String(p.name).toLowerCase() : p.name, p.schema]),
          ),
          required: list.filter((p) => p.required === true).map((p) => (where === "header" ? String(p.name).toLowerCase() : p.name)),
        };
        if (where === "path") entry.params = schema;
        else if (where === "query") entry.querystring = schema;
        else entry.headers = schema;
      }
      const body = deref(doc, op.requestBody) as JsonObject | undefined;
      const json = (body?.content as JsonObject | undefined)?.["application/json"] as JsonObject | undefined;
      if (json?.schema) entry.body = json.schema as JsonObject;
      for (const [status, rawResponse] of Object.entries((op.responses as JsonObject) ?? {})) {
        const response = deref(doc, rawResponse) as JsonObject;
        const byType: Record<string, JsonObject> = {};
        for (const [type, media] of Object.entries((response.content as JsonObject | undefined) ?? {})) {
          byType[type] = ((media as JsonObject).schema as JsonObject | undefined) ?? {};
        }
        entry.responses[status] = byType;
      }
      out.set(entry.operationId, entry);
    }
  }
  cached = out;
  return out;
}

/**
 * Finds the operation for a concrete request, e.g. `("GET", "/v1/jobs/abc")` → `getJob`.
 *
 * @example
 * matchOperation("DELETE", "/v1/jobs/job_1")?.operationId; // "cancelJob"
 */
export function matchOperation(method: string, urlPath: string): OperationSchemas | undefined {
  const found = matchRoute(method, urlPath.split("?")[0] ?? urlPath);
  return found.kind === "operation" ? operations().get(found.operation) : undefined;
}

/**
 * The route of a request by the shared matcher of `@polybridge/core`: its operation, or the
 * methods its path allows (for `405` with `Allow`).
 *
 * @example
 * matchRoute("PUT", "/v1/jobs/job_1"); // { kind: "wrong-method", allowed: ["GET", "DELETE"] }
 */
export function matchRoute(method: string, pathname: string): RouteMatch {
  matcher ??= routeMatcher([...operations().values()].map((op) => ({ operation: op.operationId, method: op.method, path: op.path })));
  return matcher(method, pathname);
}

/** Picks the response schema map for a status: exact code first, then `4XX`/`5XX`, then `default`. */
export function responseFor(op: OperationSchemas, status: number): Record<string, JsonObject> | undefined {
  return op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
}
