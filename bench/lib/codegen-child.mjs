#!/usr/bin/env node
// One timed generation in a fresh process (bench/codegen.mjs alternates the two):
//   argv: which ("polybridge" | "openapi-typescript"), spec path, output directory.
// polybridge: `generate({ spec, out })` from @polybridge/codegen (types + zod + operations + enums).
// openapi-typescript: what its users run alone — the document to types.ts.
// Prints { ms, rssMb, files, bytes }; the time excludes module loading.
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [which, spec, out] = process.argv.slice(2);
await mkdir(out, { recursive: true });
let run;
if (which === "polybridge") {
  const { generate } = await import("@polybridge/codegen");
  run = () => generate({ spec, out });
} else {
  const { default: openapiTS, astToString } = await import("openapi-typescript");
  run = async () => writeFile(join(out, "types.ts"), astToString(await openapiTS(pathToFileURL(spec), { silent: true })));
}
const t = performance.now();
await run();
const ms = performance.now() - t;
const files = await readdir(out);
let bytes = 0;
for (const f of files) bytes += (await stat(join(out, f))).size;
console.log(JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 2 ** 20, files: files.length, bytes }));
