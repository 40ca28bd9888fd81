import openapiTS, { astToString } from "openapi-typescript";
import { collectOperations, collectWebhooks } from "./collectOperations.js";
import { emitClient, type ClientEmitOptions } from "./emitClient.js";
import { emitEnums } from "./emitEnums.js";
import { emitOperations } from "./emitOperations.js";
import { emitSchemas } from "./emitSchemas.js";
import { planSchemas } from "./planSchemas.js";
import { generatedHeader } from "./tsBuilders.js";
import type { JsonObject } from "./loadDocument.js";

/**
 * Renders the generated files for one OpenAPI document, by file name: `types.ts`
 * (openapi-typescript), `schemas.ts` (zod 4), `operations.ts` (operation descriptors and tables),
 * `enums.ts` (enum values) and, with `client`, `client.ts` (a function per operation). The same
 * document always gives the same text. It consumes `doc`: openapi-typescript bundles it in place,
 * after our emitters have read it (cloning a large document costs more than the rest of the run).
 */
export async function renderFiles(doc: JsonObject, source: string, options: { client?: ClientEmitOptions } = {}): Promise<Map<string, string>> {
  const header = generatedHeader(source);
  const ops = collectOperations(doc);
  const hooks = collectWebhooks(doc, ops);
  const plan = planSchemas(doc, [...ops, ...hooks]);
  const schemas = emitSchemas(doc, plan, header);
  const operations = emitOperations(doc, ops, hooks, plan, header);
  const enums = emitEnums(plan, header);
  const client = options.client ? emitClient(ops, header, options.client) : undefined;
  const ast = await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0], { silent: true, defaultNonNullable: false, emptyObjectsUnknown: true });
  return new Map([
    ["types.ts", `${header}\n${astToString(ast)}`],
    ["schemas.ts", schemas],
    ["operations.ts", operations],
    ["enums.ts", enums],
    ...(client === undefined ? [] : [["client.ts", client] as [string, string]]),
  ]);
}
