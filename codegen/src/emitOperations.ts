import ts from "typescript";
import { addDoc, exportConst, jsonLiteral, printModule } from "./tsBuilders.js";
import type { OperationModel } from "./collectOperations.js";
import type { SchemaPlan } from "./planSchemas.js";

const f = ts.factory;

/**
 * Prints `operations.ts`: the operation table the runtime client reads — method, path template,
 * parameter names, request body and, per response status and media type, the name of the zod
 * schema in `schemas.ts` (`null` when there is none). Names rather than schema objects keep the
 * table free of zod, so a client that does not validate never loads the schemas.
 */
export function emitOperations(ops: readonly OperationModel[], plan: SchemaPlan, header: string): string {
  const table = Object.fromEntries(
    ops.map((op) => [
      op.key,
      {
        method: op.method,
        path: op.path,
        pathParams: op.params.path,
        queryParams: op.params.query,
        headerParams: op.params.header,
        body: op.body ? { contentType: op.body.contentType, required: op.body.required, schema: plan.nameOf(op, "body") } : null,
        responses: Object.fromEntries(
          op.responses.map((r) => [r.status, Object.fromEntries(r.content.map((m) => [m.contentType, plan.nameOf(op, `${r.status} ${m.contentType}`)]))]),
        ),
      },
    ]),
  );
  const constTable = f.createAsExpression(jsonLiteral(table), f.createTypeReferenceNode("const"));
  const idType = f.createTypeAliasDeclaration(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    "OperationId",
    undefined,
    f.createTypeOperatorNode(ts.SyntaxKind.KeyOfKeyword, f.createTypeQueryNode(f.createIdentifier("operations"))),
  );
  return printModule(header, [
    exportConst("operations", constTable, { doc: "Every operation of the document, keyed by `operationId`." }),
    addDoc(idType, "The key of one operation in `operations`."),
  ]);
}
