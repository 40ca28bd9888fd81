import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { parse } from "yaml";
import { loadDocument } from "./loadDocument.js";
import { renderFiles } from "./renderFiles.js";
import { emitProblemTable } from "./msw/emitErrorStatuses.js";
import { generateMsw } from "./msw/generateMsw.js";
import { generatedHeader } from "./tsBuilders.js";
import { writeFiles, type GenerateResult } from "./writeFiles.js";

/**
 * The repository's default generation from `spec/openapi.yaml`: everything into `sdk/src/gen/`,
 * the same types into `core/src/gen/openapi.ts` (the browser-safe core's protocol types, which
 * `@polybridge/spec` re-exports to the server and the conformance suite), the msw handlers' tables into `sdk/src/msw/gen/`,
 * and copies of the document (YAML and JSON) into the Python (`polybridge/gen/`) and Erlang (`priv/`) skeletons. What `npm run generate` (scripts/generate.mjs) runs, and
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
  // The SDK's operation layer is the generated client, on the runtime next to it.
  const files = await renderFiles(doc, "spec/openapi.yaml", { client: { runtimeImport: "../runtime/shared.js" } });
  const sdk = await writeFiles(join(root, "sdk", "src", "gen"), files, check);
  const types = files.get("types.ts");
  if (types === undefined) throw new Error("codegen rendered no types.ts");
  const header = generatedHeader("spec/openapi.yaml");
  const coreFiles = new Map([
    ["openapi.ts", types],
    ["problems.ts", emitProblemTable(doc, header)],
  ]);
  const core = await writeFiles(join(root, "core", "src", "gen"), coreFiles, check);
  const msw = await generateMsw({ check, root });
  // The Python and Erlang skeletons serve the contract (`GET /v1/openapi.json` / `.yaml`) from
  // copies: the YAML as written, and the same document as JSON (neither stack parses YAML).
  const yamlText = await readFile(join(root, "spec", "openapi.yaml"), "utf8");
  const copies = new Map([
    ["openapi.json", `${JSON.stringify(parse(yamlText))}\n`],
    ["openapi.yaml", yamlText],
  ]);
  const python = await writeFiles(join(root, "server-template", "python", "polybridge", "gen"), copies, check);
  const erlang = await writeFiles(join(root, "server-template", "erlang", "priv"), copies, check);
  const all = [sdk, core, msw, python, erlang];
  return { written: all.flatMap((r) => r.written), drifted: all.flatMap((r) => r.drifted) };
}
