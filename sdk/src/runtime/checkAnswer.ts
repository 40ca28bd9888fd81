import type { z } from "zod";
import type { OperationSpec } from "./OperationSpec.js";

type Issue = z.core.$ZodIssue;

/** Anything with zod's `safeParse` (the exports of a generated `schemas.ts`). */
export interface SchemaLike {
  safeParse(value: unknown): { success: true } | { success: false; error: { issues: readonly Issue[] } };
}

/** The generated `schemas.ts` module (`import * as schemas from "./gen/schemas.js"`), by export name. */
export type SchemaTable = Readonly<Record<string, unknown>>;

/**
 * Checks one answer against its operation (status declared, media type declared, body matches
 * the named zod schema) and returns a readable report of where it drifted, or undefined.
 *
 * @example
 * const report = checkResponse(operations.getHealth, "getHealth", schemas, 200, "application/json", body);
 */
export function checkResponse(op: OperationSpec, name: string, schemas: SchemaTable, status: number, contentType: string | null, body: unknown): string | undefined {
  const responses = op.responses;
  const what = `${name} (${op.method} ${op.path}) → ${status}`;
  const declared = responses[String(status)] ?? responses[`${String(status).charAt(0)}XX`] ?? responses.default;
  if (!declared) return `${what}: status ${status} is not declared (declared: ${Object.keys(responses).join(", ")})`;
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const types = Object.keys(declared);
  if (types.length === 0) return undefined;
  if (!(type in declared)) return `${what}: content type '${type}' is not declared (expected ${types.join(", ")})`;
  const schema = declared[type];
  return schema ? checkValue(schemaByName(schemas, schema), body, `${what} ${type} does not match ${schema}`) : undefined;
}

/** Checks a request body against its operation's schema; undefined when it matches (or has none). */
export function checkRequestBody(op: OperationSpec, name: string, schemas: SchemaTable, body: unknown): string | undefined {
  const schema = op.body?.schema;
  if (!schema || body === undefined) return undefined;
  return checkValue(schemaByName(schemas, schema), body, `${name} (${op.method} ${op.path}): request body does not match ${schema}`);
}

function schemaByName(schemas: SchemaTable, name: string): SchemaLike {
  const schema = schemas[name];
  if (typeof schema !== "object" || schema === null || typeof (schema as SchemaLike).safeParse !== "function") throw new Error(`generated schemas have no ${name}`);
  return schema as SchemaLike;
}

/** Validates `value`; a report headed by `title` with one line per issue (at most 20), or undefined. */
export function checkValue(schema: SchemaLike, value: unknown, title: string): string | undefined {
  const result = schema.safeParse(value);
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
