import { isObject, type JsonObject } from "./loadDocument.js";
import { docText, exportConstText, jsonText, moduleText, objectText, propertyText } from "./tsText.js";
import type { OperationModel } from "./collectOperations.js";
import type { SchemaPlan } from "./planSchemas.js";

/**
 * Prints `operations.ts`: one `as const` descriptor per operation (`findPetById`) — method, path
 * template, parameter names, request body, security alternatives and, per response status and
 * media type, the name of the zod schema in `schemas.ts` (`null` when there is none) — then the
 * `operations` and `webhooks` tables built from them and the document's `securitySchemes`.
 * Names rather than schema objects keep the file free of zod; one const per operation lets a
 * bundler keep only the descriptors a program imports (the tables are dropped when unused).
 */
export function emitOperations(doc: JsonObject, ops: readonly OperationModel[], hooks: readonly OperationModel[], plan: SchemaPlan, header: string): string {
  const statements: string[] = [];
  for (const op of [...ops, ...hooks]) {
    const entry = {
      method: op.method,
      path: op.path,
      pathParams: op.params.path,
      queryParams: op.params.query,
      headerParams: op.params.header,
      body: op.body ? { contentType: op.body.contentType, required: op.body.required, schema: plan.nameOf(op, "body") } : null,
      responses: Object.fromEntries(
        op.responses.map((r) => [r.status, Object.fromEntries(r.content.map((m) => [m.contentType, plan.nameOf(op, `${r.status} ${m.contentType}`)]))]),
      ),
      ...(op.security ? { security: op.security } : {}),
    };
    const what = op.webhook === undefined ? `\`${op.method} ${op.path}\`` : `webhook \`${op.webhook}\` (${op.method})`;
    statements.push(exportConstText(op.ident, `${jsonText(entry)} as const`, { doc: `${what}: \`${op.key}\`.` }));
  }
  const table = (list: readonly OperationModel[]): string => objectText(list.map((op) => (op.key === op.ident ? op.ident : `${propertyText(op.key)}: ${op.ident}`)));
  statements.push(exportConstText("operations", table(ops), { doc: "Every operation of the document, keyed by `operationId`." }));
  statements.push(keyType("OperationId", "operations", "The key of one operation in `operations`."));
  statements.push(exportConstText("webhooks", table(hooks), { doc: "Every webhook operation of the document (requests the API sends), keyed by `operationId`." }));
  statements.push(keyType("WebhookId", "webhooks", "The key of one webhook operation in `webhooks`."));
  const schemes = isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  statements.push(
    exportConstText("securitySchemes", `${jsonText(securitySchemes(schemes))} as const`, {
      doc: "The document's `securitySchemes`, as the client's `auth` option applies them.",
    }),
  );
  return moduleText(header, statements);
}

function keyType(name: string, of: string, doc: string): string {
  return `${docText(doc)}export type ${name} = keyof typeof ${of};`;
}

/** Keeps what sending needs from each scheme (`$ref`s are not allowed here by the spec). */
function securitySchemes(schemes: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [name, raw] of Object.entries(schemes)) {
    if (!isObject(raw) || typeof raw.type !== "string") continue;
    if (raw.type === "http") out[name] = { type: "http", scheme: typeof raw.scheme === "string" ? raw.scheme : "bearer" };
    else if (raw.type === "apiKey" && typeof raw.name === "string" && (raw.in === "header" || raw.in === "query" || raw.in === "cookie")) out[name] = { type: "apiKey", in: raw.in, name: raw.name };
    else if (raw.type === "oauth2" || raw.type === "openIdConnect" || raw.type === "mutualTLS") out[name] = { type: raw.type };
  }
  return out;
}
