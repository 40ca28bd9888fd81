import ts from "typescript";
import { isObject, type JsonObject } from "../loadDocument.js";
import { exportConst, jsonLiteral, printModule } from "../tsBuilders.js";

const f = ts.factory;

/**
 * Reads the HTTP status of each error code from `components.schemas.ErrorCode`: the contract
 * states it in the description as "`code` (NNN)", so that prose is the one source to parse.
 * Throws when a listed code is not in the enum, so a typo in the spec cannot slip through.
 *
 * @example
 * errorStatuses(doc).get("queue_full"); // 503
 */
export function errorStatuses(doc: JsonObject): Map<string, number> {
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  const schema = schemas.ErrorCode;
  if (!isObject(schema) || !Array.isArray(schema.enum) || typeof schema.description !== "string") {
    throw new Error("spec: components.schemas.ErrorCode needs an enum and a description that gives each code's status");
  }
  const known = new Set(schema.enum);
  const out = new Map<string, number>();
  for (const match of schema.description.matchAll(/`([a-z_]+)`\s*\((\d{3})\b/g)) {
    const [, code, status] = match;
    if (code === undefined || status === undefined) continue;
    if (!known.has(code)) throw new Error(`spec: ErrorCode description names '${code}', which is not in its enum`);
    out.set(code, Number(status));
  }
  if (out.size === 0) throw new Error("spec: the ErrorCode description gives no status for any code");
  return out;
}

/** Prints `errorStatuses.ts`: `errorStatusByCode`, the HTTP status of every HTTP error code. */
export function emitErrorStatuses(doc: JsonObject, header: string): string {
  const table = Object.fromEntries(errorStatuses(doc));
  return printModule(header, [
    exportConst("errorStatusByCode", f.createAsExpression(jsonLiteral(table), f.createTypeReferenceNode("const")), {
      doc: "The HTTP status of each error code that an HTTP answer can carry (job-only codes have none).",
    }),
  ]);
}
