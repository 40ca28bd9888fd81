// Builds the demo page (`GET /` of the reference server) with esbuild. Run by the root
// `npm run build` after `tsc -b`, because it bundles the built `@polybridge/sdk/browser` and reads
// the contract through the built `@polybridge/spec`.
//
// Where the output goes: server/dist/demo. The page belongs to the server (its demoRoutes serve
// it from dist/demo next to dist/http), so it lives in the server package's build output: "dist/demo"
// in server/package.json "files" puts it in the tarball, and an installed @polybridge/server serves
// the page with no copy step at install time and no runtime dependency on this folder (which is
// private and never published). dist/ is gitignored, so nothing built is committed. tsc -b never
// deletes files in dist, so the bundle survives later incremental builds; this script empties only
// its own subfolder.
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { deref, loadSpec } from "@polybridge/spec";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "../server/dist/demo");

// The contract's own request schemas, inlined at build time: the page checks the options and the
// range against them before sending (the function's item schema comes from the live catalogue).
const spec = loadSpec();
const schema = (name) => deref(spec, { $ref: `#/components/schemas/${name}` });
const contract = { jobOptions: schema("JobOptions"), range: schema("Range"), jobRequest: schema("JobRequest"), callRequest: schema("CallRequest") };

// The SDK imports its zod response validator with import() only when a client asks for
// `validate: "warn" | "strict"`, which this page never does; bundled, it would be 450 kB of zod.
// It becomes a module that fails loudly if it is ever loaded.
const withoutResponseValidator = {
  name: "without-response-validator",
  setup(b) {
    b.onResolve({ filter: /^\.\/validateResponse\.js$/ }, (args) =>
      /[\\/]sdk[\\/]dist[\\/]ClientCore\.js$/.test(args.importer) ? { path: "validateResponse", namespace: "demo-stub" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "demo-stub" }, () => ({
      contents: 'throw new Error("the demo page is built without the SDK\'s response validator");',
      loader: "js",
    }));
  },
};

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
const result = await build({
  entryPoints: { main: join(here, "src/main.ts"), style: join(here, "src/style.css") },
  outdir: outDir,
  bundle: true,
  minify: true,
  // No source maps: they would triple what an installed @polybridge/server carries.
  sourcemap: false,
  format: "esm",
  platform: "browser",
  target: ["es2022", "chrome109", "firefox115", "safari16"],
  define: { __POLYBRIDGE_CONTRACT__: JSON.stringify(contract) },
  legalComments: "linked",
  metafile: true,
  plugins: [withoutResponseValidator],
  logLevel: "warning",
});
for (const file of ["index.html", "icon.svg"]) await writeFile(join(outDir, file), await readFile(join(here, "src", file)));

const sizes = [];
for (const file of [...Object.keys(result.metafile.outputs).map((f) => join(process.cwd(), f)), join(outDir, "index.html")]) {
  if (file.endsWith(".map")) continue;
  const bytes = await readFile(file);
  sizes.push(`${relative(join(here, ".."), file)} ${(bytes.length / 1024).toFixed(1)} kB (${(gzipSync(bytes).length / 1024).toFixed(1)} kB gzip)`);
}
if (!process.argv.includes("--quiet") && process.env.npm_config_loglevel !== "silent") console.log(`demo page built:\n  ${sizes.join("\n  ")}`);
await stat(join(outDir, "main.js"));
