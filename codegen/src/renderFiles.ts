import openapiTS, { astToString } from "openapi-typescript";
import { collectOperations } from "./collectOperations.js";
import { emitEnums } from "./emitEnums.js";
import { emitOperations } from "./emitOperations.js";
import { emitSchemas } from "./emitSchemas.js";
import { planSchemas } from "./planSchemas.js";
import { generatedHeader } from "./tsBuilders.js";
import type { JsonObject } from "./loadDocument.js";

/**
 * Renders the four generated files for one OpenAPI document, by file name:
 * `types.ts` (openapi-typescript), `schemas.ts` (zod 4), `operations.ts` (operation table),
 * `enums.ts` (string enum values). Pure: the same document always gives the same text.
 */
export async function renderFiles(doc: JsonObject, source: string): Promise<Map<string, string>> {
  const header = generatedHeader(source);
  // openapi-typescript bundles the document in place; give it a copy.
  const ast = await openapiTS(structuredClone(doc) as unknown as Parameters<typeof openapiTS>[0], { silent: true, defaultNonNullable: false });
  const ops = collectOperations(doc);
  const plan = planSchemas(doc, ops);
  return new Map([
    ["types.ts", `${header}\n${astToString(ast)}`],
    ["schemas.ts", emitSchemas(doc, plan, header)],
    ["operations.ts", emitOperations(ops, plan, header)],
    ["enums.ts", emitEnums(plan, header)],
  ]);
}
