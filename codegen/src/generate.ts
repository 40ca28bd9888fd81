import { relative, sep } from "node:path";
import { isUrl, loadDocument } from "./loadDocument.js";
import { MSW_FILES, renderMswFiles } from "./msw/renderMswFiles.js";
import { renderFiles } from "./renderFiles.js";
import { SERVER_STUB_FILES } from "./serverStubFiles.js";
import { generatedHeader } from "./tsBuilders.js";
import { writeFiles, type GenerateResult } from "./writeFiles.js";

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Path or http(s) URL of an OpenAPI 3.0 or 3.1 document (YAML or JSON). */
  spec: string;
  /** Directory that receives `types.ts`, `schemas.ts`, `operations.ts` and `enums.ts`. */
  out: string;
  /** Write nothing; report in `drifted` the files that differ from what would be written. */
  check?: boolean;
  /** How the header names the document; defaults to its path relative to the working directory. */
  source?: string;
  /** Also msw 2 handlers for every operation (`msw.ts` and its runtime files; needs `msw` and `zod`). */
  msw?: boolean;
  /**
   * Also write `client.ts`: a typed function per operation on `@polybridge/sdk/runtime` (the
   * SDK's transport, timeouts, retries, auth and opt-in zod validation). `true`, or the module
   * specifier of the runtime to import instead.
   */
  client?: boolean | { runtimeImport: string };
}

/**
 * Generates TypeScript types (openapi-typescript), zod 4 schemas and a typed operation table
 * from any OpenAPI 3.0 / 3.1 document, and with `client` a typed function per operation. Output
 * is deterministic and compiles under strict tsc.
 *
 * @example
 * const { drifted } = await generate({ spec: "spec/openapi.yaml", out: "sdk/src/gen", check: true });
 * await generate({ spec: "petstore.yaml", out: "src/gen", client: true }); // + client.ts
 * if (drifted.length > 0) throw new Error(`stale generated files: ${drifted.join(", ")}`);
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const doc = await loadDocument(options.spec);
  const source = options.source ?? (isUrl(options.spec) ? options.spec : relative(process.cwd(), options.spec).split(sep).join("/"));
  let files: Map<string, string>;
  try {
    const client = options.client === true ? { runtimeImport: "@polybridge/sdk/runtime" } : options.client || undefined;
    // Before renderFiles, which consumes the document.
    const msw = options.msw ? await renderMswFiles(doc, generatedHeader(source)) : new Map<string, string>();
    files = new Map([...(await renderFiles(doc, source, client ? { client } : {})), ...msw]);
  } catch (error) {
    // e.g. "unresolvable $ref #/components/schemas/Pet": say which document.
    throw new Error(`${options.spec}: ${(error as Error).message}`, { cause: error });
  }
  // `generate server` may share the folder (src/gen): its files are not this run's to remove.
  // Nor are the msw handlers' of a run with --msw, when this one is without.
  return writeFiles(options.out, files, options.check ?? false, (name) => !SERVER_STUB_FILES.has(name) && (options.msw === true || !MSW_FILES.has(name)));
}
