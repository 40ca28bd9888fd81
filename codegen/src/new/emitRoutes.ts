import ts from "typescript";
import { isJsonType, type OperationModel } from "../collectOperations.js";
import { addDoc, generatedHeader, jsonLiteral, printModule } from "../tsBuilders.js";
import type { RequestSchemas } from "./requestSchemas.js";

const f = ts.factory;

/** An extra operation with what the route table needs beyond the operation model. */
export interface ExtraOperation {
  op: OperationModel;
  schemas: RequestSchemas;
  summary?: string;
}

/** `GetStats` for `getStats`: the prefix of the operation's generated types. */
export function typePrefix(op: OperationModel): string {
  return op.ident.charAt(0).toUpperCase() + op.ident.slice(1);
}

/** `operations["id"]["a"]["b"]…`, with numeric keys as number literal types (`[200]`). */
function operationType(op: OperationModel, ...keys: string[]): ts.TypeNode {
  let node: ts.TypeNode = f.createIndexedAccessTypeNode(f.createTypeReferenceNode("operations"), f.createLiteralTypeNode(f.createStringLiteral(op.key)));
  for (const key of keys) {
    const literal = /^\d+$/.test(key) ? f.createNumericLiteral(Number(key)) : f.createStringLiteral(key);
    node = f.createIndexedAccessTypeNode(node, f.createLiteralTypeNode(literal));
  }
  return node;
}

const nonNullable = (t: ts.TypeNode): ts.TypeNode => f.createTypeReferenceNode("NonNullable", [t]);
const emptyObject = (): ts.TypeNode =>
  f.createTypeReferenceNode("Record", [f.createKeywordTypeNode(ts.SyntaxKind.StringKeyword), f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword)]);

/** The first 2xx response: its status, and its JSON media type when it has a body. */
export function successResponse(op: OperationModel): { status: number; key?: string; json?: string } {
  const success = op.responses.find((r) => /^2(\d\d|XX)$/i.test(r.status));
  if (!success) return { status: 200 };
  const json = success.content.find((c) => isJsonType(c.contentType))?.contentType;
  return { status: /^\d+$/.test(success.status) ? Number(success.status) : 200, key: success.status, ...(json ? { json } : {}) };
}

function exportType(name: string, type: ts.TypeNode, doc?: string): ts.Statement {
  const alias = f.createTypeAliasDeclaration([f.createModifier(ts.SyntaxKind.ExportKeyword)], name, undefined, type);
  return doc ? addDoc(alias, doc) : alias;
}

function operationTypes(extra: ExtraOperation): ts.Statement[] {
  const { op } = extra;
  const prefix = typePrefix(op);
  const jsonBody = op.body && isJsonType(op.body.contentType) ? op.body.contentType : undefined;
  const request = f.createTypeReferenceNode("ExtraRequest", [
    op.params.path.length > 0 ? operationType(op, "parameters", "path") : emptyObject(),
    op.params.query.length > 0 ? nonNullable(operationType(op, "parameters", "query")) : emptyObject(),
    jsonBody
      ? f.createIndexedAccessTypeNode(
          f.createIndexedAccessTypeNode(nonNullable(operationType(op, "requestBody")), f.createLiteralTypeNode(f.createStringLiteral("content"))),
          f.createLiteralTypeNode(f.createStringLiteral(jsonBody)),
        )
      : f.createKeywordTypeNode(ts.SyntaxKind.UndefinedKeyword),
  ]);
  const success = successResponse(op);
  const response = success.key && success.json
    ? operationType(op, "responses", success.key, "content", success.json)
    : f.createKeywordTypeNode(ts.SyntaxKind.VoidKeyword);
  const responseRef = f.createTypeReferenceNode(`${prefix}Response`);
  const handler = f.createFunctionTypeNode(
    undefined,
    [f.createParameterDeclaration(undefined, undefined, "request", undefined, f.createTypeReferenceNode(`${prefix}Request`))],
    f.createUnionTypeNode([responseRef, f.createTypeReferenceNode("Promise", [responseRef])]),
  );
  const title = `${op.method} ${op.path}${extra.summary ? `: ${extra.summary}` : ""}`;
  return [
    exportType(`${prefix}Request`, request, `What the handler of ${op.key} receives (${title}).`),
    exportType(`${prefix}Response`, response, `The ${success.status} answer of ${op.key}.`),
    exportType(`${prefix}Handler`, handler, `Implements ${op.key} (src/handlers/${op.ident}.ts).`),
  ];
}

function routeEntry(extra: ExtraOperation): ts.Expression {
  const { op } = extra;
  const prefix = typePrefix(op);
  const url = op.path.replace(/\{([^}]+)\}/g, ":$1");
  const literal = jsonLiteral({ operationId: op.key, method: op.method, url, successStatus: successResponse(op).status, schema: extra.schemas });
  const withHandler = f.updateObjectLiteralExpression(literal as ts.ObjectLiteralExpression, [
    ...(literal as ts.ObjectLiteralExpression).properties,
    f.createPropertyAssignment("handle", f.createIdentifier(op.ident)),
  ]);
  return f.createCallExpression(
    f.createIdentifier("defineRoute"),
    [f.createTypeReferenceNode(`${prefix}Request`), f.createTypeReferenceNode(`${prefix}Response`)],
    [withHandler],
  );
}

function importDecl(names: Array<{ name: string; typeOnly?: boolean }>, from: string, typeOnly = false): ts.Statement {
  return f.createImportDeclaration(
    undefined,
    f.createImportClause(typeOnly, undefined, f.createNamedImports(names.map((n) => f.createImportSpecifier(n.typeOnly ?? false, undefined, f.createIdentifier(n.name))))),
    f.createStringLiteral(from),
  );
}

const SUPPORTED = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

/**
 * Renders src/gen/routes.ts: per extra operation its request, response and handler types (from
 * openapi-typescript's `operations` in ./openapi.ts) and an entry of the `routes` table.
 *
 * @example
 * const text = emitRoutes([], "openapi.yaml"); // an empty table: the spec adds nothing
 */
export function emitRoutes(extras: readonly ExtraOperation[], source: string): string {
  for (const { op } of extras) {
    if (!SUPPORTED.has(op.method)) throw new Error(`${op.key}: ${op.method} routes are not supported`);
  }
  const statements: ts.Statement[] = [
    importDecl(
      extras.length > 0
        ? [{ name: "defineRoute" }, { name: "ExtraRequest", typeOnly: true }, { name: "ExtraRoute", typeOnly: true }]
        : [{ name: "ExtraRoute" }],
      "../extraRoutes.js",
      extras.length === 0,
    ),
  ];
  if (extras.length > 0) {
    statements.push(importDecl([{ name: "operations" }], "./openapi.js", true));
    for (const { op } of extras) statements.push(importDecl([{ name: op.ident }], `../handlers/${op.ident}.js`));
    for (const extra of extras) statements.push(...operationTypes(extra));
  }
  const table = f.createVariableStatement(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    f.createVariableDeclarationList(
      [f.createVariableDeclaration("routes", undefined, f.createTypeOperatorNode(ts.SyntaxKind.ReadonlyKeyword, f.createArrayTypeNode(f.createTypeReferenceNode("ExtraRoute"))), f.createArrayLiteralExpression(extras.map(routeEntry), true))],
      ts.NodeFlags.Const,
    ),
  );
  statements.push(addDoc(table, `The operations of ${source} beyond the polybridge protocol, served next to it (main.ts registers them).`));
  return printModule(generatedHeader(source), statements);
}
