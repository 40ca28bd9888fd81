import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDocument } from "../loadDocument.js";
import { generatedHeader } from "../tsBuilders.js";
import { writeFiles, type GenerateResult } from "../writeFiles.js";
import { emitErrorStatuses } from "./emitErrorStatuses.js";
import { emitParameterSchemas } from "./emitParameterSchemas.js";

/**
 * Writes what the msw handlers of `@polybridge/sdk/msw` need from `spec/openapi.yaml` beyond
 * the SDK's own generated files — parameter schemas and the status of each error code — into
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
  const files = new Map([
    ["errorStatuses.ts", emitErrorStatuses(doc, header)],
    ["parameters.ts", emitParameterSchemas(doc, header, "../../gen/schemas.js")],
  ]);
  return writeFiles(join(root, "sdk", "src", "msw", "gen"), files, options.check ?? false);
}
