#!/usr/bin/env node
// Benchmark 6: polybridge codegen (`generate({ spec, out })`) on a real ~1,000-operation public
// spec — GitHub Enterprise Server 3.17's REST description, 966 operations, 11 MB JSON (fixture
// bench/fixtures/ghes-3.17.json.gz) — vs openapi-typescript alone on the same file. Each
// generation in a fresh process, alternating, same run. ratio = polybridge ÷ openapi-typescript
// (median of per-round ratios). Goal <= 2x.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { ROOT, envNumber, median, report, round, runNodeJson, spread } from "./lib/common.mjs";

const ROUNDS = envNumber("ROUNDS", 3);
const FIXTURE = fileURLToPath(new URL("./fixtures/ghes-3.17.json.gz", import.meta.url));
const CHILD = fileURLToPath(new URL("./lib/codegen-child.mjs", import.meta.url));
const name = "codegen on GitHub GHES 3.17 spec (966 ops) vs openapi-typescript alone";
const goal = "<= 2x";

if (!existsSync(join(ROOT, "codegen/dist/index.js"))) {
  report({ name, ratio: null, goal, pass: null, spread: null, status: "codegen not ready (no codegen/dist/index.js)" });
  process.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), "polybridge-bench-codegen-"));
try {
  const spec = join(dir, "ghes-3.17.json");
  await writeFile(spec, gunzipSync(await readFile(FIXTURE)));
  const doc = JSON.parse(await readFile(spec, "utf8"));
  let operations = 0;
  for (const item of Object.values(doc.paths)) for (const m of ["get", "put", "post", "delete", "patch", "head", "options", "trace"]) if (item[m]) operations++;

  const once = (which, i) => runNodeJson(CHILD, [which, spec, join(dir, `${which}-${i}`)], { timeoutMs: 180_000 });
  const ratios = [];
  const runs = { polybridge: [], ots: [] };
  let failure;
  for (let i = 0; i < ROUNDS && !failure; i++) {
    try {
      const first = i % 2 === 0 ? "polybridge" : "openapi-typescript";
      const a = await once(first, i);
      const b = await once(first === "polybridge" ? "openapi-typescript" : "polybridge", i);
      const [pb, ots] = first === "polybridge" ? [a, b] : [b, a];
      runs.polybridge.push(pb);
      runs.ots.push(ots);
      ratios.push(pb.ms / ots.ms);
    } catch (error) {
      failure = error.message.slice(0, 400);
    }
  }
  if (failure && ratios.length === 0) {
    report({ name, ratio: null, goal, pass: null, spread: null, status: `codegen failed on the spec: ${failure}` });
  } else {
    const ratio = round(median(ratios));
    report({
      name,
      ratio,
      goal,
      pass: ratio <= 2,
      spread: spread(ratios),
      operations,
      polybridge_ms: Math.round(median(runs.polybridge.map((r) => r.ms))),
      openapi_typescript_ms: Math.round(median(runs.ots.map((r) => r.ms))),
      polybridge_rss_mb: Math.round(median(runs.polybridge.map((r) => r.rssMb))),
      openapi_typescript_rss_mb: Math.round(median(runs.ots.map((r) => r.rssMb))),
      polybridge_output_bytes: runs.polybridge[0].bytes,
      ...(failure ? { status: `a later round failed: ${failure}` } : {}),
    });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
