import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import ts from "typescript";
import openapiTS, { astToString } from "openapi-typescript";
import { isObject, type JsonObject } from "./loadDocument.js";
import { addDoc, generatedHeader, jsonLiteral, propertyName } from "./tsBuilders.js";
import { writeFiles, type GenerateResult } from "./writeFiles.js";

const f = ts.factory;
const KINDS = new Set(["unary", "reducer", "emitter"]);

/** Options of {@link generateFunctions}. */
export interface GenerateFunctionsOptions {
  /** A server's base URL (`http://127.0.0.1:8080`) or the path of a saved `GET /v1/functions` answer. */
  from: string;
  /** The `.ts` file to write (a directory gets `functions.ts`). */
  out: string;
  /** Write nothing; report in `drifted` whether the file differs. */
  check?: boolean;
  /** Bearer token for a server started with tokens (its catalogue is not open to anonymous callers). */
  token?: string;
  /** Inject `fetch` (tests); defaults to the global one. */
  fetch?: typeof globalThis.fetch;
}

export interface CatalogueEntry {
  name: string;
  kind: string;
  description: string;
  inputSchema: unknown;
  outputSchema: unknown;
}

/**
 * Turns a server's function catalogue into a `Functions` type map
 * (name → `{ kind, input, output }`) for `createClient<Functions>()`, so that
 * `client.call("square", 3)` is type-checked and a wrong name or input does not compile.
 * JSON Schemas become TypeScript through openapi-typescript's schema transformer.
 *
 * @example
 * await generateFunctions({ from: "http://127.0.0.1:8080", out: "src/gen/functions.ts" });
 * // then: const client = createClient<Functions>({ baseUrl });
 */
export async function generateFunctions(options: GenerateFunctionsOptions): Promise<GenerateResult> {
  const entries = parseCatalogue(await readCatalogue(options.from, options.fetch ?? globalThis.fetch, options.token), options.from);
  const text = await renderFunctions(entries);
  const file = options.out.endsWith(".ts") ? options.out : `${options.out.replace(/\/$/, "")}/functions.ts`;
  // One file into a folder others generate into too: it never removes anything.
  return writeFiles(dirname(file), new Map([[basename(file), text]]), options.check ?? false, () => false);
}

/** Reads a catalogue: `GET {from}/v1/functions` (with `token` as a bearer token), or a saved answer from a file. Errors name the source. */
export async function readCatalogue(from: string, fetchImpl: typeof globalThis.fetch, token?: string): Promise<unknown> {
  if (!/^https?:\/\//i.test(from)) {
    let text: string;
    try {
      text = await readFile(from, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(code === "ENOENT" ? `${from}: no such file` : `${from}: cannot read (${code ?? (error as Error).message})`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new Error(`${from}: not JSON (${(error as Error).message.split("\n")[0]})`);
    }
  }
  const url = /\/v1\/functions\/?$/.test(from) ? from : `${from.replace(/\/+$/, "")}/v1/functions`;
  let res: Response;
  try {
    const headers: Record<string, string> = { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
    res = await fetchImpl(url, { headers, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot fetch ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  if (res.status === 401) throw new Error(`GET ${url} answered 401: the server wants a token (--token, or POLYBRIDGE_TOKEN)`);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  try {
    return (await res.json()) as unknown;
  } catch {
    throw new Error(`GET ${url}: the answer is not JSON`);
  }
}

/** The catalogue's entries, checked and sorted by name. */
export function parseCatalogue(raw: unknown, from: string): CatalogueEntry[] {
  const list = isObject(raw) && Array.isArray(raw.functions) ? raw.functions : undefined;
  if (!list) throw new Error(`${from}: not a function catalogue (expected { functions: [...] })`);
  const entries = list.map((item, i): CatalogueEntry => {
    if (!isObject(item) || typeof item.name !== "string" || typeof item.kind !== "string" || !KINDS.has(item.kind)) {
      throw new Error(`${from}: functions[${i}] needs a name and a kind (unary | reducer | emitter)`);
    }
    return {
      name: item.name,
      kind: item.kind,
      description: typeof item.description === "string" ? item.description : "",
      inputSchema: item.inputSchema ?? {},
      outputSchema: item.outputSchema ?? {},
    };
  });
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Renders the file: a private interface of converted schemas plus the exported `Functions` map. */
async function renderFunctions(entries: readonly CatalogueEntry[]): Promise<string> {
  const schemas: JsonObject = {};
  for (const e of entries) {
    schemas[`${e.name}.input`] = e.inputSchema;
    schemas[`${e.name}.output`] = e.outputSchema;
  }
  const doc = { openapi: "3.1.0", info: { title: "functions", version: "0" }, paths: {}, components: { schemas } };
  const ast = await openapiTS(doc as Parameters<typeof openapiTS>[0], { silent: true, defaultNonNullable: false });
  const components = ast.find((n): n is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(n) && n.name.text === "components");
  if (!components) throw new Error("openapi-typescript produced no components interface");
  const schemaHolder = f.updateInterfaceDeclaration(components, [], f.createIdentifier("FunctionSchemas"), undefined, undefined, components.members);
  const ref = (key: string): ts.TypeNode =>
    f.createIndexedAccessTypeNode(
      f.createIndexedAccessTypeNode(f.createTypeReferenceNode("FunctionSchemas"), f.createLiteralTypeNode(f.createStringLiteral("schemas"))),
      f.createLiteralTypeNode(f.createStringLiteral(key)),
    );
  const members = entries.map((e) => {
    const member = f.createPropertySignature(undefined, propertyName(e.name), undefined, f.createTypeLiteralNode([
      f.createPropertySignature(undefined, "kind", undefined, f.createLiteralTypeNode(f.createStringLiteral(e.kind))),
      f.createPropertySignature(undefined, "input", undefined, ref(`${e.name}.input`)),
      f.createPropertySignature(undefined, "output", undefined, ref(`${e.name}.output`)),
    ]));
    return e.description ? addDoc(member, e.description) : member;
  });
  const functions = addDoc(
    f.createTypeAliasDeclaration([f.createModifier(ts.SyntaxKind.ExportKeyword)], "Functions", undefined, f.createTypeLiteralNode(members)),
    "The server's functions: name → kind, input and output. Use as `createClient<Functions>(…)`.",
  );
  const names = addDoc(
    f.createVariableStatement([f.createModifier(ts.SyntaxKind.ExportKeyword)], f.createVariableDeclarationList([
      f.createVariableDeclaration("functionNames", undefined, undefined, f.createAsExpression(jsonLiteral(entries.map((e) => e.name)), f.createTypeReferenceNode("const"))),
    ], ts.NodeFlags.Const)),
    "The names in the catalogue, sorted.",
  );
  const header = generatedHeader("the function catalogue (GET /v1/functions)");
  return `${header}\n${astToString([schemaHolder, functions, names])}`;
}
