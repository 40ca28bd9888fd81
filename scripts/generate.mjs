#!/usr/bin/env node
// The repository's own code generation (`npm run generate`, `npm run generate -- --check`):
// spec/openapi.yaml → sdk/src/gen, core/src/gen (whose types @polybridge/spec re-exports) and sdk/src/msw/gen.
// Not a user command: `polybridge generate` needs --spec and --out.
import { fileURLToPath } from "node:url";
import { generateSdk } from "../codegen/dist/index.js";

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--check");
if (unknown.length > 0) {
  console.error(`npm run generate: unknown argument ${unknown.join(" ")} (usage: npm run generate [-- --check])`);
  process.exit(2);
}
const check = args.includes("--check");
const root = fileURLToPath(new URL("../", import.meta.url));
const result = await generateSdk({ check, root });
if (!check) console.log(result.drifted.length === 0 ? "nothing changed" : `wrote ${result.drifted.join(", ")}`);
else if (result.drifted.length === 0) console.log("generated code is up to date");
else {
  console.error(`generated code differs from a fresh run: ${result.drifted.join(", ")} (run \`npm run generate\` and commit the result)`);
  process.exitCode = 1;
}
