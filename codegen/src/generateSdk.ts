import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { generate } from "./generate.js";
import type { GenerateResult } from "./writeFiles.js";

/**
 * The repository's default generation: `spec/openapi.yaml` → `sdk/src/gen/`. What
 * `polybridge generate` (no `--spec`/`--out`) runs, and with `check` what CI runs to fail on drift.
 *
 * @example
 * const { drifted } = await generateSdk({ check: true });
 * if (drifted.length > 0) process.exitCode = 1;
 */
export async function generateSdk(options: { check?: boolean; root?: string } = {}): Promise<GenerateResult> {
  // dist/generateSdk.js sits two levels below the repository root.
  const root = options.root ?? fileURLToPath(new URL("../../", import.meta.url));
  return generate({
    spec: join(root, "spec", "openapi.yaml"),
    out: join(root, "sdk", "src", "gen"),
    check: options.check ?? false,
    source: "spec/openapi.yaml",
  });
}
