import type { z } from "zod";
import * as schemas from "./gen/schemas.js";
import { operations, type OperationId } from "./gen/operations.js";

type Issue = z.core.$ZodIssue;

/**
 * Checks one answer against the contract (status declared, media type declared, body matches
 * the generated zod schema) and returns a readable report of where it drifted, or undefined.
 * Loaded lazily by the client only when `validate` is not `"off"`, so zod stays out of bundles
 * that do not validate; importable directly as `@polybridge/sdk/validate`.
 *
 * @example
 * const report = validateResponse("getHealth", 200, "application/json", body);
 * if (report) console.warn(report);
 */
export function validateResponse(operationId: OperationId, status: number, contentType: string | null, body: unknown): string | undefined {
  const op = operations[operationId];
  const responses: Record<string, Record<string, string | null>> = op.responses;
  const what = `${operationId} (${op.method} ${op.path}) → ${status}`;
  const declared = responses[String(status)] ?? responses[`${String(status).charAt(0)}XX`] ?? responses.default;
  if (!declared) return `${what}: status ${status} is not declared (declared: ${Object.keys(responses).join(", ")})`;
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const types = Object.keys(declared);
  if (types.length === 0) return undefined;
  if (!(type in declared)) return `${what}: content type '${type}' is not declared (expected ${types.join(", ")})`;
  const name = declared[type];
  return name ? check(schemaByName(name), body, `${what} ${type} does not match ${name}`) : undefined;
}

/** Checks one Server-Sent Event of a job (`{ event, data }`) against `JobEvent`. */
export function validateJobEvent(event: { event: string; data: unknown }): string | undefined {
  return check(schemas.JobEvent, { event: event.event, data: event.data }, `job event '${event.event}' does not match JobEvent`);
}

function schemaByName(name: string): z.ZodType {
  const schema = (schemas as Record<string, unknown>)[name];
  if (!schema) throw new Error(`generated schemas have no ${name}`);
  return schema as z.ZodType;
}

function check(schema: z.ZodType, body: unknown, title: string): string | undefined {
  const result = schema.safeParse(body);
  if (result.success) return undefined;
  const lines = flatten(result.error.issues, []).map(({ path, message }) => `  at ${pointer(path)}: ${message}`);
  return [`${title}:`, ...lines.slice(0, 20), ...(lines.length > 20 ? [`  … and ${lines.length - 20} more`] : [])].join("\n");
}

/** Unions report every branch; keep the branch that came closest (fewest issues) so the report points at the real drift. */
function flatten(issues: readonly Issue[], prefix: readonly PropertyKey[]): Array<{ path: PropertyKey[]; message: string }> {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const best = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
      if (best.length > 0) return flatten(best, path);
    }
    return [{ path, message: issue.message }];
  });
}

function pointer(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "/" : path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}
