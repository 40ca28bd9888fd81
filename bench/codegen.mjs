#!/usr/bin/env node
// Benchmark 6: `polybridge generate` on GitHub's REST description (api.github.com, 1,223
// operations, 13 MB JSON; fixture bench/fixtures/api.github.com.json.gz) vs openapi-typescript
// alone on the same file, both as their users run them: the command line, a fresh process each,
// start-up included. Alternating order, same run. ratio = polybridge ÷ openapi-typescript in CPU
// time (user + system of every thread: the machine is shared, so wall time is noisier; it is
// reported too), median of per-round ratios. Goal <= 1.2x.
// Also: start-up of `polybridge --help` and `polybridge generate --help` (nothing but commander
// and the command definitions may load) against `node -e 0`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { ROOT, envNumber, median, report, round, spread } from "./lib/common.mjs";

const ROUNDS = envNumber("ROUNDS", 5);
const FIXTURE = fileURLToPath(new URL("./fixtures/api.github.com.json.gz", import.meta.url));
const CPU_REPORT = fileURLToPath(new URL("./lib/cpu-report.mjs", import.meta.url));
const CLI = join(ROOT, "cli/bin/polybridge.js");
const OTS_CLI = join(ROOT, "node_modules/openapi-typescript/bin/cli.js");
const name = "polybridge generate on GitHub's REST spec (1,223 ops) vs openapi-typescript CLI, CPU time";
const goal = "<= 1.2x";

if (!existsSync(join(ROOT, "cli/dist/cli.js")) || !existsSync(join(ROOT, "codegen/dist/index.js"))) {
  report({ name, ratio: null, goal, pass: null, spread: null, status: "not built (run npm run build)" });
  process.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), "polybridge-bench-codegen-"));

/** Runs `node <args>` once; its CPU time (from lib/cpu-report.mjs), peak RSS and wall time. */
async function timed(args) {
  const cpuFile = join(dir, "cpu.json");
  const t = performance.now();
  const child = spawnSync(process.execPath, ["--import", CPU_REPORT, ...args], {
    cwd: dir,
    env: { ...process.env, CPU_REPORT: cpuFile },
    encoding: "utf8",
    timeout: 170_000,
  });
  const wallMs = performance.now() - t;
  if (child.status !== 0) throw new Error(`node ${args.join(" ")}: exit ${child.status ?? child.signal}: ${(child.stderr || child.stdout).trim().split("\n").at(-1)}`);
  const { cpuMs, rssMb } = JSON.parse(await readFile(cpuFile, "utf8"));
  return { wallMs, cpuMs, rssMb };
}

async function bytesOf(folder) {
  let bytes = 0;
  for (const f of await readdir(folder)) bytes += (await stat(join(folder, f))).size;
  return bytes;
}

try {
  const spec = join(dir, "api.github.com.json");
  await writeFile(spec, gunzipSync(await readFile(FIXTURE)));
  const doc = JSON.parse(await readFile(spec, "utf8"));
  let operations = 0;
  for (const item of Object.values(doc.paths)) for (const m of ["get", "put", "post", "delete", "patch", "head", "options", "trace"]) if (item[m]) operations++;

  const tools = {
    polybridge: (i) => [CLI, "generate", "--spec", spec, "--out", join(dir, `pb-${i}`)],
    "openapi-typescript": (i) => [OTS_CLI, spec, "--output", join(dir, `ots-${i}`, "types.ts")],
  };
  const runs = { polybridge: [], "openapi-typescript": [] };
  const cpuRatios = [];
  const wallRatios = [];
  let failure;
  for (let i = 0; i < ROUNDS && !failure; i++) {
    try {
      const order = i % 2 === 0 ? ["polybridge", "openapi-typescript"] : ["openapi-typescript", "polybridge"];
      for (const tool of order) runs[tool].push(await timed(tools[tool](i)));
      const [pb, ots] = [runs.polybridge.at(-1), runs["openapi-typescript"].at(-1)];
      cpuRatios.push(pb.cpuMs / ots.cpuMs);
      wallRatios.push(pb.wallMs / ots.wallMs);
    } catch (error) {
      failure = error.message.slice(0, 400);
    }
  }

  // Start-up: the median of 7 runs each, alternating with bare node.
  const startup = { node: [], help: [], generateHelp: [] };
  for (let i = 0; i < 7; i++) {
    startup.node.push((await timed(["-e", "0"])).wallMs);
    startup.help.push((await timed([CLI, "--help"])).wallMs);
    startup.generateHelp.push((await timed([CLI, "generate", "--help"])).wallMs);
  }

  if (cpuRatios.length === 0) {
    report({ name, ratio: null, goal, pass: null, spread: null, status: `generation failed: ${failure}` });
  } else {
    const ratio = round(median(cpuRatios));
    const med = (tool, key) => Math.round(median(runs[tool].map((r) => r[key])));
    report({
      name,
      ratio,
      goal,
      pass: ratio <= 1.2,
      spread: spread(cpuRatios),
      rounds: cpuRatios.length,
      operations,
      wall_ratio: round(median(wallRatios)),
      wall_spread: spread(wallRatios),
      polybridge_cpu_ms: med("polybridge", "cpuMs"),
      openapi_typescript_cpu_ms: med("openapi-typescript", "cpuMs"),
      polybridge_wall_ms: med("polybridge", "wallMs"),
      openapi_typescript_wall_ms: med("openapi-typescript", "wallMs"),
      polybridge_rss_mb: med("polybridge", "rssMb"),
      openapi_typescript_rss_mb: med("openapi-typescript", "rssMb"),
      polybridge_output_bytes: await bytesOf(join(dir, "pb-0")),
      openapi_typescript_output_bytes: await bytesOf(join(dir, "ots-0")),
      node_startup_ms: Math.round(median(startup.node)),
      help_ms: Math.round(median(startup.help)),
      generate_help_ms: Math.round(median(startup.generateHelp)),
      ...(failure ? { status: `a later round failed: ${failure}` } : {}),
    });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
