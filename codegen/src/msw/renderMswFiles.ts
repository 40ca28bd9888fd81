import { readFile } from "node:fs/promises";
import { collectOperations, isJsonType, type OperationModel } from "../collectOperations.js";
import { deref, isObject, resolveLocalRef, type JsonObject } from "../loadDocument.js";
import { planSchemas, type SchemaPlan } from "../planSchemas.js";
import type { MockDocument, MockOperationSpec, MockResponseSpec } from "./runtime/mswRuntime.js";

/**
 * The runtime of generated msw handlers, copied next to them as TypeScript (so the output needs
 * only `msw` and `zod`): read from this package's `src/msw/runtime/`, which ships with it
 * (dist/msw/ and src/msw/ both sit two levels below the package root).
 */
const RUNTIME = ["mswControls.ts", "mswMatches.ts", "mswPattern.ts", "mswRandom.ts", "mswRuntime.ts", "mswSample.ts"] as const;
const runtimeDir = new URL("../../src/msw/runtime/", import.meta.url);

/** Every file `generate --msw` writes, so a run without `--msw` leaves them alone. */
export const MSW_FILES: ReadonlySet<string> = new Set(["msw.ts", ...RUNTIME]);

/** The spec's example of a media type: `example`, else the first of `examples` (`$ref`s followed). */
function exampleOf(doc: JsonObject, media: JsonObject): { example?: unknown } {
  if ("example" in media) return { example: media.example };
  if (isObject(media.examples)) {
    const first = deref(doc, Object.values(media.examples)[0]);
    if (first && "value" in first) return { example: first.value };
  }
  return {};
}

/** The server URLs with their variables' defaults. */
function serversOf(doc: JsonObject): string[] {
  const servers = Array.isArray(doc.servers) ? doc.servers.filter(isObject) : [];
  return servers.flatMap((server) => {
    if (typeof server.url !== "string") return [];
    const variables = isObject(server.variables) ? server.variables : {};
    return [server.url.replace(/\{([^}]+)\}/g, (_, name: string) => String((isObject(variables[name]) ? variables[name].default : undefined) ?? name))];
  });
}

/** Component schemas reachable by `$ref` from `roots` (what the data generator may follow). */
function reachableSchemas(doc: JsonObject, roots: unknown[]): JsonObject {
  const found = new Map<string, unknown>();
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (isObject(node)) {
      if (typeof node.$ref === "string" && node.$ref.startsWith("#/components/schemas/") && !found.has(node.$ref)) {
        const target = resolveLocalRef(doc, node.$ref);
        found.set(node.$ref, target);
        stack.push(target);
      }
      for (const [key, value] of Object.entries(node)) if (key !== "example" && key !== "examples" && key !== "enum") stack.push(value);
    }
  }
  const schemas: JsonObject = {};
  const all = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  for (const [name, schema] of Object.entries(all)) {
    if (found.has(`#/components/schemas/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`)) schemas[name] = schema;
  }
  return schemas;
}

/** The headers an answer must carry: the required ones and `Location` (never `Content-Type`, which the spec may not describe). */
function headersOf(doc: JsonObject, declared: JsonObject | undefined): { headers?: Record<string, unknown> } {
  const headers: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(declared && isObject(declared.headers) ? declared.headers : {})) {
    const header = deref(doc, raw);
    if (!header || name.toLowerCase() === "content-type") continue;
    if (header.required === true || name.toLowerCase() === "location") headers[name] = header.schema ?? { type: "string" };
  }
  return Object.keys(headers).length > 0 ? { headers } : {};
}

function operationSpec(doc: JsonObject, op: OperationModel, plan: SchemaPlan): MockOperationSpec {
  const paths = isObject(doc.paths) ? doc.paths : {};
  const operation = deref(doc, deref(doc, paths[op.path])?.[op.method.toLowerCase()]);
  const rawResponses = isObject(operation?.responses) ? operation.responses : {};
  const responses: Record<string, MockResponseSpec> = {};
  for (const response of op.responses) {
    const declared = deref(doc, rawResponses[response.status]);
    const content = declared && isObject(declared.content) ? declared.content : {};
    // The handlers answer one media type per status: JSON when the spec offers it.
    const chosen = response.content.find((m) => isJsonType(m.contentType)) ?? response.content[0];
    const media = chosen && isObject(content[chosen.contentType]) ? (content[chosen.contentType] as JsonObject) : {};
    responses[response.status] = chosen
      ? {
          contentType: chosen.contentType,
          ...(media.schema === undefined ? {} : { schema: media.schema }),
          ...exampleOf(doc, media),
          validator: plan.nameOf(op, `${response.status} ${chosen.contentType}`),
          ...headersOf(doc, declared),
        }
      : { contentType: null, validator: null, ...headersOf(doc, declared) };
  }
  return {
    method: op.method,
    path: op.path,
    requiredQuery: op.params.query.filter((p) => p.required).map((p) => p.name),
    body: op.body ? { required: op.body.required, contentType: op.body.contentType, validator: plan.nameOf(op, "body") } : null,
    responses,
  };
}

/**
 * Renders `msw.ts` (the spec's operations, examples and schemas, typed `createMockHandlers`) and
 * the runtime files it imports, by file name, for a document whose `types.ts` (openapi-typescript)
 * and `schemas.ts` (zod) are generated into the same folder. Reads `doc` without changing it.
 *
 * @example
 * const files = await renderMswFiles(doc, generatedHeader("openapi.yaml"));
 * files.get("msw.ts"); // "…export function createMockHandlers(…"
 */
export async function renderMswFiles(doc: JsonObject, header: string): Promise<Map<string, string>> {
  const ops = collectOperations(doc);
  const plan = planSchemas(doc, ops);
  const operations = Object.fromEntries(ops.map((op) => [op.key, operationSpec(doc, op, plan)]));
  const roots = Object.values(operations).flatMap((op) => Object.values(op.responses).map((r) => r.schema));
  const document: MockDocument = { servers: serversOf(doc), operations, components: { schemas: reachableSchemas(doc, roots) } };
  const typeEntries = ops.map((op) => `    ${JSON.stringify(op.key)}: paths[${JSON.stringify(op.path)}][${JSON.stringify(op.method.toLowerCase())}];`);
  const msw = `${header}
import * as schemas from "./schemas.js";
import type { paths } from "./types.js";
import { createMswHandlers, type MockDocument, type MockHandlers, type MockHandlersOptions } from "./mswRuntime.js";

export { MockContractError, type MockBody, type MockControls, type MockErrorStatus, type MockSuccessStatus } from "./mswControls.js";
export type { MockHandlers, MockHandlersOptions } from "./mswRuntime.js";

/** Every operation of the document by key (\`operationId\`), as openapi-typescript types it. */
export interface MockOperations {
${typeEntries.join("\n")}
}

/** The operations, their examples and the schemas of their answers (parsed when handlers are created). */
const document = ${JSON.stringify(JSON.stringify(document))};

/**
 * msw 2 handlers for every operation of the document: each answers the spec's example or
 * schema-valid data generated from \`seed\` (the same answer every time), and \`mock\` overrides an
 * operation per test, checked against the spec at compile time and at run time.
 *
 * @example
 * const { handlers, mock, reset } = createMockHandlers({ baseUrl: "https://api.example.com", seed: 1 });
 * const server = setupServer(...handlers); // msw/node
 * mock.error(${JSON.stringify(ops[0]?.key ?? "operationId")}, 500, { once: true });
 */
export function createMockHandlers(options: MockHandlersOptions = {}): MockHandlers<MockOperations> {
  return createMswHandlers<MockOperations>(JSON.parse(document) as MockDocument, schemas, options);
}
`;
  const files = new Map([["msw.ts", msw]]);
  for (const name of RUNTIME) files.set(name, `${header}\n${await readFile(new URL(name, runtimeDir), "utf8")}`);
  return files;
}
