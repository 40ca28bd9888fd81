import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDocument } from "../loadDocument.js";
import { generatedHeader } from "../tsBuilders.js";
import { writeFiles, type GenerateResult } from "../writeFiles.js";
import { emitErrorStatuses } from "./emitErrorStatuses.js";
import { emitParameterSchemas } from "./emitParameterSchemas.js";

/**
 * Writes what the msw handlers of `@polybridge/sdk/msw` need from `spec/openapi.yaml` beyond
 * the SDK's own generated files — parameter schemas, the status of each error code and the
 * document itself (served by `GET /v1/openapi.json` / `.yaml`) — into
 * `sdk/src/msw/gen/`. With `check`, only reports drift (for CI).
 *
 * @example
 * const { drifted } = await generateMsw({ check: true });
 * if (drifted.length > 0) process.exitCode = 1;
 */
export async function generateMsw(options: { check?: boolean; root?: string } = {}): Promise<GenerateResult> {
  // dist/msw/generateMsw.js (and src/msw/generateMsw.ts) sit three levels below the repository root.
  const root = options.root ?? fileURLToPath(new URL("../../../", import.meta.url));
  const doc = await loadDocument(join(root, "spec", "openapi.yaml"));
  const header = generatedHeader("spec/openapi.yaml");
  const yamlText = await readFile(join(root, "spec", "openapi.yaml"), "utf8");
  const files = new Map([
    ["errorStatuses.ts", emitErrorStatuses(doc, header)],
    ["openApiDocument.ts", emitOpenApiDocument(yamlText, doc, header)],
    ["parameters.ts", emitParameterSchemas(doc, header, "../../gen/schemas.js")],
  ]);
  return writeFiles(join(root, "sdk", "src", "msw", "gen"), files, options.check ?? false);
}

/**
 * The contract the handlers were generated from, for `GET /v1/openapi.json` and `/v1/openapi.yaml`:
 * the YAML text as written (comments kept) and the parsed document as compact JSON text (parsed
 * when first served, so importing the handlers costs no parse).
 */
function emitOpenApiDocument(yamlText: string, doc: unknown, header: string): string {
  return `${header}
/** spec/openapi.yaml as written: what \`GET /v1/openapi.yaml\` serves (with \`servers\` set by the handler). */
export const openApiYaml: string = ${JSON.stringify(yamlText)};

/** The same document as compact JSON text: what \`GET /v1/openapi.json\` serves (with \`servers\` set by the handler). */
export const openApiJson: string = ${JSON.stringify(JSON.stringify(doc))};
`;
}
