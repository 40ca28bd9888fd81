import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { collectOperations } from "../collectOperations.js";
import { deref, isObject, loadDocument, type JsonObject } from "../loadDocument.js";
import { generatedHeader } from "../tsBuilders.js";
import { SERVER_STUB_FILES } from "../serverStubFiles.js";
import { writeFiles, type GenerateResult } from "../writeFiles.js";
import { emitHandlerStub } from "./emitHandlerStub.js";
import { emitRoutes, type ExtraOperation } from "./emitRoutes.js";
import { requestSchemas } from "./requestSchemas.js";

/** Options of {@link generateServerStubs}. */
export interface GenerateServerStubsOptions {
  /** The user's copy of the spec (YAML or JSON), possibly with operations beyond the protocol. */
  spec: string;
  /** Root of a project made by `polybridge new --lang ts` (it has src/extraRoutes.ts). */
  out: string;
  /** The protocol's spec to compare with. Default: this checkout's spec/openapi.yaml. */
  baseSpec?: string;
  /** Write nothing; report in `drifted` what src/gen/ would change (handlers are not checked). */
  check?: boolean;
}

/** What {@link generateServerStubs} did. */
export interface ServerStubsResult extends GenerateResult {
  /** operationIds of the spec that the protocol does not define, in document order. */
  extraOperations: string[];
  /** Handler files created by this run (existing ones are never touched). */
  handlersCreated: string[];
}

/** The protocol's contract in this checkout (codegen/{dist,src}/new → ../../../spec/). */
export function defaultBaseSpec(): string {
  return fileURLToPath(new URL("../../../spec/openapi.yaml", import.meta.url));
}

function summaryOf(doc: JsonObject, path: string, method: string): string | undefined {
  const item = deref(doc, isObject(doc.paths) ? doc.paths[path] : undefined);
  const op = item ? deref(doc, item[method.toLowerCase()]) : undefined;
  return typeof op?.summary === "string" ? op.summary : undefined;
}

/**
 * `polybridge generate server`: finds the operations of `spec` whose operationId the protocol
 * lacks and emits fastify handler stubs for them: src/gen/openapi.ts (types, openapi-typescript),
 * src/gen/routes.ts (route table + per-operation types; both do-not-edit), and
 * src/handlers/<operationId>.ts only where missing, answering 501 until written.
 *
 * @example
 * const { extraOperations } = await generateServerStubs({ spec: "openapi.yaml", out: "." });
 */
export async function generateServerStubs(options: GenerateServerStubsOptions): Promise<ServerStubsResult> {
  const doc = await loadDocument(options.spec);
  const base = await loadDocument(options.baseSpec ?? defaultBaseSpec());
  const known = new Set(collectOperations(base).map((op) => op.key));
  const extras: ExtraOperation[] = collectOperations(doc)
    .filter((op) => !known.has(op.key))
    .map((op) => {
      const summary = summaryOf(doc, op.path, op.method);
      return { op, schemas: requestSchemas(doc, op.path, op.method), ...(summary ? { summary } : {}) };
    });
  const source = basename(options.spec);
  const files = new Map([["routes.ts", emitRoutes(extras, source)]]);
  if (extras.length > 0) {
    const ast = await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0], { silent: true });
    files.set("openapi.ts", `${generatedHeader(source)}\n${astToString(ast)}`);
  }
  const result = await writeFiles(join(options.out, "src", "gen"), files, options.check ?? false, (name) => SERVER_STUB_FILES.has(name));
  const handlersCreated: string[] = [];
  if (!options.check && extras.length > 0) {
    const handlersDir = join(options.out, "src", "handlers");
    await mkdir(handlersDir, { recursive: true });
    for (const { op, summary } of extras) {
      const path = join(handlersDir, `${op.ident}.ts`);
      // "wx": create only; a hand-written body must never be overwritten.
      const created = await writeFile(path, emitHandlerStub(op, summary), { flag: "wx" }).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === "EEXIST") return false;
          throw error;
        },
      );
      if (created) handlersCreated.push(path);
    }
  }
  return { ...result, extraOperations: extras.map((e) => e.op.key), handlersCreated };
}
