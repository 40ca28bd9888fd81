import ts from "typescript";
import { isObject, type JsonObject } from "./loadDocument.js";
import { exportConst, jsonLiteral, printModule } from "./tsBuilders.js";
import type { SchemaPlan } from "./planSchemas.js";

const f = ts.factory;

/**
 * Prints `enums.ts`: the values of every string-enum component schema as a readonly tuple
 * (`JobStatusValues`), so runtime code can test membership without loading zod.
 */
export function emitEnums(plan: SchemaPlan, header: string): string {
  const statements: ts.Statement[] = [];
  for (const { name, schema } of plan.components.values()) {
    if (!isObject(schema) || !Array.isArray(schema.enum)) continue;
    const values = (schema as JsonObject).enum as unknown[];
    if (values.length === 0 || !values.every((v) => typeof v === "string")) continue;
    statements.push(
      exportConst(`${name}Values`, f.createAsExpression(jsonLiteral(values), f.createTypeReferenceNode("const")), {
        doc: `Every value of the \`${name}\` enum, in document order.`,
      }),
    );
  }
  if (statements.length === 0) statements.push(f.createExportDeclaration(undefined, false, f.createNamedExports([])));
  return printModule(header, statements);
}
