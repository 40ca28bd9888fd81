import ts from "typescript";
import type { OperationModel } from "../collectOperations.js";
import { addDoc, printModule } from "../tsBuilders.js";
import { typePrefix } from "./emitRoutes.js";

const f = ts.factory;

/**
 * Renders src/handlers/<operationId>.ts, written once and then owned by the user: a typed
 * handler that answers `501 not_implemented` until its body is written.
 *
 * @example
 * emitHandlerStub(op, "Returns usage statistics."); // "export const getStats: GetStatsHandler = …"
 */
export function emitHandlerStub(op: OperationModel, summary?: string): string {
  const importOf = (name: string, from: string, typeOnly: boolean): ts.Statement =>
    f.createImportDeclaration(
      undefined,
      f.createImportClause(typeOnly, undefined, f.createNamedImports([f.createImportSpecifier(false, undefined, f.createIdentifier(name))])),
      f.createStringLiteral(from),
    );
  const body = f.createBlock([
    f.createThrowStatement(f.createNewExpression(f.createIdentifier("NotImplementedError"), undefined, [f.createStringLiteral(op.key)])),
  ], true);
  const handler = f.createArrowFunction(
    [f.createModifier(ts.SyntaxKind.AsyncKeyword)],
    undefined,
    [f.createParameterDeclaration(undefined, undefined, "_request")],
    undefined,
    f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
    body,
  );
  const statement = f.createVariableStatement(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    f.createVariableDeclarationList([f.createVariableDeclaration(op.ident, undefined, f.createTypeReferenceNode(`${typePrefix(op)}Handler`), handler)], ts.NodeFlags.Const),
  );
  const doc = [
    `${op.method} ${op.path}${summary ? `: ${summary}` : ""}`,
    "",
    "Yours to write: `polybridge generate server` created this file once and never overwrites it.",
    "Return the response (typed from the spec); throw a ProblemError from @polybridge/server for errors.",
  ].join("\n");
  const header = "// Handler of an operation your spec adds beyond the polybridge protocol.";
  return printModule(header, [
    importOf("NotImplementedError", "../extraRoutes.js", false),
    importOf(`${typePrefix(op)}Handler`, "../gen/routes.js", true),
    addDoc(statement, doc),
  ]);
}
