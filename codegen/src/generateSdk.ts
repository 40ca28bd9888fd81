import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { loadDocument } from "./loadDocument.js";
import { renderFiles } from "./renderFiles.js";
import { emitProblemTable } from "./msw/emitErrorStatuses.js";
import { generateMsw } from "./msw/generateMsw.js";
import { generatedHeader } from "./tsBuilders.js";
import { writeFiles, type GenerateResult } from "./writeFiles.js";

/**
 * The repository's default generation from `spec/openapi.yaml`: everything into `sdk/src/gen/`,
 * the same types into `spec/src/gen/openapi.ts` (what `@polybridge/spec` exports to the server
 * and the conformance suite) and `core/src/gen/openapi.ts` (the browser-safe core's protocol types), and the msw handlers' tables into `sdk/src/msw/gen/`. What `npm run generate` (scripts/generate.mjs) runs, and
 * with `check` what CI runs to fail on drift.
 *
 * @example
 * const { drifted } = await generateSdk({ check: true });
 * if (drifted.length > 0) process.exitCode = 1;
 */
export async function generateSdk(options: { check?: boolean; root?: string } = {}): Promise<GenerateResult> {
  // dist/generateSdk.js sits two levels below the repository root.
  const root = options.root ?? fileURLToPath(new URL("../../", import.meta.url));
  const check = options.check ?? false;
  const doc = await loadDocument(join(root, "spec", "openapi.yaml"));
  const files = await renderFiles(doc, "spec/openapi.yaml");
  const sdk = await writeFiles(join(root, "sdk", "src", "gen"), files, check);
  const types = files.get("types.ts");
  if (types === undefined) throw new Error("codegen rendered no types.ts");
  const spec = await writeFiles(join(root, "spec", "src", "gen"), new Map([["openapi.ts", types]]), check);
  const header = generatedHeader("spec/openapi.yaml");
  const coreFiles = new Map([
    ["openapi.ts", types],
    ["problems.ts", emitProblemTable(doc, header)],
  ]);
  const core = await writeFiles(join(root, "core", "src", "gen"), coreFiles, check);
  const msw = await generateMsw({ check, root });
  return {
    written: [...sdk.written, ...spec.written, ...core.written, ...msw.written],
    drifted: [...sdk.drifted, ...spec.drifted, ...core.drifted, ...msw.drifted],
  };
}
