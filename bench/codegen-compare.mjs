#!/usr/bin/env node
// The comparison table of codegen/README.md, measured: polybridge `generate` vs openapi-typescript
// (+ openapi-fetch), orval and hey-api on a small and a large real spec — generation time (CPU and
// wall, the command line in a fresh process), output size, and the size of a browser bundle that
// imports one operation (esbuild, minified, gzip beside). The peers are installed from npm into a
// temporary folder at each run (pinned below, all Node 20 compatible), never as project
// dependencies. Re-runnable: `npm run build && node bench/codegen-compare.mjs` (about 5 minutes);
// when `polybridge generate --help` offers `--client`, the typed client is generated and its
// function for the operation is what gets bundled.
//   ROUNDS=n        generations per tool and spec (default 1; the median is reported)
//   SPECS=petstore  only some specs (petstore, github)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { ROOT, envNumber, median } from "./lib/common.mjs";

const PEERS = { "openapi-typescript": "7.13.0", "openapi-fetch": "0.17.0", orval: "7.13.2", "@hey-api/openapi-ts": "0.95.0" };
const ROUNDS = envNumber("ROUNDS", 1);
const CPU_REPORT = fileURLToPath(new URL("./lib/cpu-report.mjs", import.meta.url));
const CLI = join(ROOT, "cli/bin/polybridge.js");

const dir = await mkdtemp(join(tmpdir(), "polybridge-compare-"));
const SPECS = [
  {
    name: "petstore",
    label: "Petstore (expanded, 4 operations)",
    file: join(ROOT, "codegen/test/fixtures/petstore-expanded.yaml"),
    operationId: "addPet",
    call: { method: "POST", path: "/pets", init: '{ body: { name: "Rex" } }' },
  },
  {
    name: "github",
    label: "GitHub REST (api.github.com, 1,223 operations)",
    file: join(dir, "api.github.com.json"),
    unzip: join(ROOT, "bench/fixtures/api.github.com.json.gz"),
    operationId: "repos/get",
    call: { method: "GET", path: "/repos/{owner}/{repo}", init: '{ params: { path: { owner: "o", repo: "r" } } }' },
  },
].filter((s) => !process.env.SPECS || process.env.SPECS.split(",").includes(s.name));

function run(command, args, { cwd = dir, timeoutMs = 900_000 } = {}) {
  const cpuFile = join(dir, "cpu.json");
  const t = performance.now();
  const child = spawnSync(command, command === process.execPath ? ["--import", CPU_REPORT, ...args] : args, {
    cwd,
    env: { ...process.env, CPU_REPORT: cpuFile, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 2 ** 20,
  });
  const wallMs = performance.now() - t;
  if (child.status !== 0) throw new Error(`${[command, ...args].join(" ")}: exit ${child.status ?? child.signal}\n${(child.stderr || child.stdout || "").slice(-2000)}`);
  return { wallMs, child, cpuFile };
}

// hey-api's bin runs the generator in a child process: /usr/bin/time counts the CPU of waited-for
// children too (lib/cpu-report.mjs, the fallback, only the process it is loaded into).
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

async function timed(args) {
  if (TIME) {
    const { wallMs, child } = run(TIME, ["-f", "cpu %U %S", process.execPath, ...args]);
    const [, user, system] = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(child.stderr) ?? [];
    return { wallMs, cpuMs: (Number(user) + Number(system)) * 1000 };
  }
  const { wallMs, cpuFile } = run(process.execPath, args);
  const { cpuMs } = JSON.parse(await readFile(cpuFile, "utf8"));
  return { wallMs, cpuMs };
}

async function filesOf(folder) {
  const out = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return out;
}

async function bytesOf(folder) {
  let bytes = 0;
  for (const file of await filesOf(folder)) bytes += (await stat(file)).size;
  return bytes;
}

/** The file and export name of the function generated for `operationId` (names normalised: `repos/get` ~ `reposGet`). */
async function findExport(folder, operationId) {
  const want = operationId.toLowerCase().replace(/[^a-z0-9]/g, "");
  for (const file of (await filesOf(folder)).filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts")).sort()) {
    const text = await readFile(file, "utf8");
    for (const match of text.matchAll(/export (?:async )?(?:function\*? |const )([A-Za-z_$][\w$]*)/g)) {
      if (match[1].toLowerCase() === want) return { file, name: match[1] };
    }
  }
  return undefined;
}

const esbuild = await import(join(ROOT, "node_modules/esbuild/lib/main.js"));
async function bundleSize(entryText, name) {
  const entry = join(dir, `entry-${name}.ts`);
  await writeFile(entry, entryText);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    nodePaths: [join(dir, "node_modules"), join(ROOT, "node_modules")],
  });
  const code = result.outputFiles[0].contents;
  return { bytes: code.length, gzip: gzipSync(code).length };
}

const importPath = (file) => `./${relative(dir, file).replace(/\.ts$/, "")}`;

const polybridgeHelp = run(process.execPath, [CLI, "generate", "--help"]).child.stdout;
const hasClient = /--client\b/.test(polybridgeHelp);

const TOOLS = [
  {
    name: "polybridge",
    version: JSON.parse(await readFile(join(ROOT, "cli/package.json"), "utf8")).version,
    offers: `types (openapi-typescript), zod 4 schemas, operation table, enums, msw handlers (\`--msw\`)${hasClient ? ", typed per-operation client (`--client`)" : ""}`,
    generate: (spec, out) => [CLI, "generate", "--spec", spec.file, "--out", out, ...(hasClient ? ["--client"] : [])],
    entry: async (spec, out) => {
      const found = hasClient ? await findExport(out, spec.operationId) : undefined;
      if (found) return `export { ${found.name} } from "${importPath(found.file)}";\n`;
      // No client yet: what a user imports today to call one operation is the operation table.
      return `import { operations } from "${importPath(join(out, "operations.ts"))}";\nexport const op = operations[${JSON.stringify(spec.operationId)}];\n`;
    },
  },
  {
    name: "openapi-typescript + openapi-fetch",
    version: `${PEERS["openapi-typescript"]} + ${PEERS["openapi-fetch"]}`,
    offers: "types; one generic typed client (`client.GET(path, …)`), no per-operation functions, no runtime validation or mocks",
    generate: (spec, out) => [join(dir, "node_modules/openapi-typescript/bin/cli.js"), spec.file, "--output", join(out, "types.ts")],
    entry: async (spec, out) =>
      `import createClient from "openapi-fetch";\nimport type { paths } from "${importPath(join(out, "types.ts"))}";\nconst client = createClient<paths>({ baseUrl: "https://api.example.com" });\nexport const op = () => client.${spec.call.method}(${JSON.stringify(spec.call.path)}, ${spec.call.init} as never);\n`,
  },
  {
    name: "orval (fetch client)",
    version: PEERS.orval,
    offers: "types and one function per operation (fetch, axios, react-query, …); zod or msw + faker in other output modes",
    generate: (spec, out) => [join(dir, "node_modules/orval/dist/bin/orval.js"), "--input", spec.file, "--output", join(out, "api.ts"), "--client", "fetch", "--mode", "single"],
    entry: async (spec, out) => {
      const found = await findExport(out, spec.operationId);
      return found ? `export { ${found.name} } from "${importPath(found.file)}";\n` : undefined;
    },
  },
  {
    name: "hey-api (fetch client)",
    version: PEERS["@hey-api/openapi-ts"],
    offers: "types and one SDK function per operation on its bundled fetch client; zod/valibot, TanStack Query via plugins",
    generate: (spec, out) => [join(dir, "node_modules/@hey-api/openapi-ts/bin/run.js"), "--input", spec.file, "--output", out, "--client", "@hey-api/client-fetch"],
    entry: async (spec, out) => {
      const found = await findExport(out, spec.operationId);
      return found ? `export { ${found.name} } from "${importPath(found.file)}";\n` : undefined;
    },
  },
];

const rows = [];
try {
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "polybridge-compare", private: true, type: "module" }));
  console.error(`installing ${Object.entries(PEERS).map(([p, v]) => `${p}@${v}`).join(" ")} into ${dir}`);
  run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...Object.entries(PEERS).map(([p, v]) => `${p}@${v}`)]);
  for (const spec of SPECS) {
    if (spec.unzip) await writeFile(spec.file, gunzipSync(await readFile(spec.unzip)));
    for (const tool of TOOLS) {
      const row = { spec: spec.label, tool: tool.name, version: tool.version, offers: tool.offers };
      try {
        const times = [];
        let out;
        for (let i = 0; i < ROUNDS; i++) {
          out = join(dir, "out", spec.name, tool.name.replace(/\W+/g, "-"), String(i));
          await mkdir(out, { recursive: true });
          times.push(await timed(await tool.generate(spec, out)));
        }
        row.cpuMs = Math.round(median(times.map((t) => t.cpuMs)));
        row.wallMs = Math.round(median(times.map((t) => t.wallMs)));
        row.outputBytes = await bytesOf(out);
        const entry = await tool.entry(spec, out);
        if (entry) Object.assign(row, await bundleSize(entry, `${spec.name}-${tool.name.replace(/\W+/g, "-")}`));
        else row.note = `no export found for ${spec.operationId}`;
      } catch (error) {
        row.error = error.message.split("\n").slice(0, 3).join(" ").slice(0, 300);
      }
      console.error(JSON.stringify(row));
      rows.push(row);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const kb = (n) => (n === undefined ? "—" : n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} kB`);
const s = (ms) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(2)} s`);
console.log(`\nnode ${process.version}, ${new Date().toISOString().slice(0, 10)}, ROUNDS=${ROUNDS}\n`);
console.log("| spec | tool | generation CPU | wall | output | one operation bundled (min / gzip) |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  const bundle = r.error ? `failed: ${r.error.replaceAll("|", "/")}` : r.bytes === undefined ? (r.note ?? "—") : `${kb(r.bytes)} / ${kb(r.gzip)}`;
  console.log(`| ${r.spec} | ${r.tool} ${r.version} | ${s(r.cpuMs)} | ${s(r.wallMs)} | ${kb(r.outputBytes)} | ${bundle} |`);
}
console.log("\n| tool | what it generates |\n|---|---|");
for (const tool of TOOLS) console.log(`| ${tool.name} ${tool.version} | ${tool.offers} |`);
console.log(`\n${JSON.stringify(rows)}`);
