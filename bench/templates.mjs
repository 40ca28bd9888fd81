#!/usr/bin/env node
// Benchmark (reference, no goal): the primes-below-N range job on each server template vs the
// reference server. Each template project is made by createProject (what `polybridge new` does)
// in a temp dir, gets a `countPrimes` reducer added to its functions file the way a user adds a
// function (same 6k±1 trial division as server/src/functions/builtins.ts primeTest), is built and
// started as a child process; the reference server (`polybridge serve --workers 2`) serves its
// built-in countPrimes. Same job for both: fold countPrimes over range 0..N, chunkSize 250,000,
// default concurrency, each server on its default of one worker per core.
//
// N is 16,000,000 where a template's measured throughput allows it within the per-job budget;
// a slower template (pure Python) gets the largest smaller N (halving) that fits, and the
// reference is timed at that same N, so every ratio compares like with like. One JSON line per
// template: { name, ratio = template time / reference time (> 1: the template is slower), … }.
//   PRIMES_BELOW (16000000)  TEMPLATE_JOB_BUDGET_MS (40000)  ROUNDS (2)  TEMPLATES (ts,python,erlang)
import { spawnSync } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createProject } from "@polybridge/codegen";
import { primeTest } from "../server/dist/functions/builtins.js";
import { envNumber, getText, median, postJson, report, round, spread, startListening, startServerProcess } from "./lib/common.mjs";

const TARGET_N = envNumber("PRIMES_BELOW", 16_000_000);
const CHUNK = 250_000;
// Calibration size (runs at it and at twice it): small enough for pure Python to take ~1 s.
const CALIBRATION_N = 1_000_000;
// Per timed template job; with the margin below it keeps the whole run near 2 minutes on 2 cores.
const BUDGET_MS = envNumber("TEMPLATE_JOB_BUDGET_MS", 40_000);
const EXPONENT_MARGIN = 0.25;
const ROUNDS = envNumber("ROUNDS", 2);
const LANGS = (process.env.TEMPLATES ?? "ts,python,erlang").split(",").filter(Boolean);
const ENSURE_ERLANG = fileURLToPath(new URL("../scripts/ensure-erlang.sh", import.meta.url));
const PRIMES_POOL = fileURLToPath(new URL("./python/primes_pool.py", import.meta.url));
// The checkout's templates and server: what `polybridge new` copies, with this checkout's server.
const TEMPLATES_DIR = fileURLToPath(new URL("../server-template/", import.meta.url));
const SERVER_DEP = `file:${fileURLToPath(new URL("../server/", import.meta.url))}`;

// --- countPrimes as a user adds it to each template's functions file --------------------------

// The trial division itself is not retyped: the TS project gets the reference's compiled
// primeTest (a function expression, so the declared type gives its parameter a type) and the
// Python project the prime_test of bench/python/primes_pool.py; both copies stay in step.
const TS_COUNT_PRIMES = `
const primeTest: (n: number) => boolean = ${primeTest.toString()};

/** Counts the primes among the items (fold it over a range). */
export const countPrimes = defineReducer({
  name: "countPrimes",
  description: "Counts the primes among the items (fold it over a range).",
  input: z.int(),
  output: z.int().min(0),
  identity: 0,
  step: (acc, n) => (primeTest(n) ? acc + 1 : acc),
  combine: (a, b) => a + b,
});
`;

const PYTHON_PRIME_TEST = /^def prime_test\(n\):\n(?:(?: {4}.*)?\n)*?(?=\S)/m.exec(await readFile(PRIMES_POOL, "utf8"))?.[0];
if (!PYTHON_PRIME_TEST?.includes("d += 6")) throw new Error(`${PRIMES_POOL}: prime_test not found`);
const PYTHON_COUNT_PRIMES = `

${PYTHON_PRIME_TEST.trimEnd()}


def _add(a: int, b: int) -> int:
    return a + b


@reducer(input={"type": "integer"}, output={"type": "integer", "minimum": 0}, identity=0, combine=_add,
         name="countPrimes")
def count_primes(acc: int, n: int) -> int:
    """Counts the primes among the items (fold it over a range)."""
    return acc + 1 if prime_test(n) else acc
`;

const ERLANG_ENTRY = `},

     #{name => <<"countPrimes">>,
       kind => reducer,
       description => <<"Counts the primes among the items (fold it over a range).">>,
       input => #{type => integer},
       output => #{type => integer, minimum => 0},
       identity => 0,
       step => fun(Acc, N) -> case prime_test(N) of true -> Acc + 1; false -> Acc end end,
       combine => fun(A, B) -> A + B end}].
`;
const ERLANG_FUNCTIONS = `
prime_test(N) when N < 2 -> false;
prime_test(N) when N < 4 -> true;
prime_test(N) when N rem 2 =:= 0; N rem 3 =:= 0 -> false;
prime_test(N) -> prime_test(N, 5).

prime_test(N, D) when D * D > N -> true;
prime_test(N, D) when N rem D =:= 0; N rem (D + 2) =:= 0 -> false;
prime_test(N, D) -> prime_test(N, D + 6).
`;

/** Runs a build step, failing the benchmark with its output when it fails. */
function mustRun(command, args, cwd, timeoutMs) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: timeoutMs });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}): ${`${result.stdout}${result.stderr}`.slice(-1500)}`);
}

/** Replaces `anchor` (which must be there) in a file. */
async function edit(file, anchor, replacement) {
  const text = await readFile(file, "utf8");
  if (!text.includes(anchor)) throw new Error(`${file}: '${anchor}' not found; the template changed`);
  await writeFile(file, text.replace(anchor, replacement));
}

/** Per language: add countPrimes to a fresh project and build it; returns the start command. */
const TEMPLATES = {
  async ts(dir) {
    const file = join(dir, "src", "functions.ts");
    await edit(file, "import { conformanceFunctions, defineUnary,", "import { conformanceFunctions, defineReducer, defineUnary,");
    await edit(file, "\n/**\n * Everything served.", `${TS_COUNT_PRIMES}\n/**\n * Everything served.`);
    await edit(file, "[...conformanceFunctions, cube]", "[...conformanceFunctions, cube, countPrimes]");
    mustRun("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], dir, 180_000);
    mustRun("npm", ["run", "build"], dir, 120_000);
    return [process.execPath, [join(dir, "dist", "main.js"), "--port", "0"]];
  },
  async python(dir) {
    await appendFile(join(dir, "functions.py"), PYTHON_COUNT_PRIMES);
    return ["python3", [join(dir, "server.py"), "--port", "0"]];
  },
  async erlang(dir) {
    mustRun("bash", [ENSURE_ERLANG], dir, 600_000);
    const file = join(dir, "src", "bench_erlang_functions.erl");
    // functions/0's list ends at the first `}].`: the new entry goes last, its helper at the end.
    await edit(file, "}].\n", ERLANG_ENTRY);
    await appendFile(file, ERLANG_FUNCTIONS);
    mustRun("make", ["-s"], dir, 180_000);
    return [join(dir, "bin", "start"), ["--port", "0"]];
  },
};

/** Times one countPrimes fold over 0..n; resolves with { ms, count }. */
async function countPrimes(url, n) {
  const body = JSON.stringify({ kind: "fold", function: "countPrimes", input: { range: { start: 0, end: n } }, options: { chunkSize: CHUNK } });
  const t = performance.now();
  const res = await postJson(`${url}/v1/jobs`, body, { prefer: "wait=60" });
  let job = JSON.parse(res.text);
  // Prefer: wait is capped at 60 s; a job still running then is followed to its end.
  while (res.status === 202 && (job.status === "accepted" || job.status === "running")) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = JSON.parse((await getText(`${url}/v1/jobs/${job.id}`)).text);
  }
  if (job.status === "successful" && job.result === undefined) job.result = JSON.parse((await getText(`${url}/v1/jobs/${job.id}/result`)).text);
  const ms = performance.now() - t;
  if (job.status !== "successful") throw new Error(`${url}: job ${res.status} ${JSON.stringify(job).slice(0, 300)}`);
  return { ms, count: job.result.value };
}

/**
 * Fits time ≈ a·n^k from warm runs at the calibration size and twice it. Trial division costs
 * n^1.5 / ln n in theory, but per-item overhead dominates small ranges, so k is measured; and as
 * the local k still grows with n (Python: ~1.0 at 1–2M, ~1.6 at 4–16M), estimates add a margin.
 */
async function calibrate(url) {
  await countPrimes(url, CALIBRATION_N); // warm: worker start-up, JIT, code loading
  const small = await countPrimes(url, CALIBRATION_N);
  const large = await countPrimes(url, 2 * CALIBRATION_N);
  const exponent = Math.min(2, Math.max(1, Math.log2(large.ms / small.ms))) + EXPONENT_MARGIN;
  return { exponent, estimateMs: (n) => large.ms * (n / (2 * CALIBRATION_N)) ** exponent };
}

/** The largest N (TARGET_N halved as needed, not below the calibration size) expected to fit the budget. */
function chooseN(estimateMs) {
  let n = TARGET_N;
  while (n / 2 >= CALIBRATION_N && estimateMs(n) > BUDGET_MS) n = Math.floor(n / 2);
  return n;
}

const work = await mkdtemp(join(tmpdir(), "polybridge-bench-templates-"));
const servers = [];
try {
  const reference = await startServerProcess({ workers: 2 });
  servers.push(reference);
  await countPrimes(reference.url, CALIBRATION_N); // warm the workers' JIT
  for (const lang of LANGS) {
    const name = `primes below N: ${lang} template vs reference server (range fold countPrimes, chunk ${CHUNK}; reference, no goal)`;
    const prepare = TEMPLATES[lang];
    if (!prepare) throw new Error(`unknown template '${lang}'`);
    try {
      const t = performance.now();
      const { dir } = await createProject({ dir: join(work, lang), lang, name: `bench_${lang}`, templatesDir: TEMPLATES_DIR, serverDep: SERVER_DEP });
      const [command, args] = await prepare(dir);
      const setupMs = performance.now() - t;
      const server = await startListening(command, args, { timeoutMs: 60_000 });
      servers.push(server);
      const calibration = await calibrate(server.url);
      const n = chooseN(calibration.estimateMs);
      // Fewer rounds rather than a smaller N when the rounds would not all fit the budget.
      const rounds = Math.max(1, Math.min(ROUNDS, Math.floor(BUDGET_MS / calibration.estimateMs(n))));
      const ratios = [];
      const times = { template: [], reference: [] };
      let primes;
      for (let i = 0; i < rounds; i++) {
        // Alternating, one server busy at a time (the other idles): both get the same 2 cores.
        const ref = await countPrimes(reference.url, n);
        const own = await countPrimes(server.url, n);
        if (own.count !== ref.count) throw new Error(`${lang} template counted ${own.count} primes below ${n}, the reference ${ref.count}`);
        primes = ref.count;
        times.reference.push(ref.ms);
        times.template.push(own.ms);
        ratios.push(own.ms / ref.ms);
      }
      await server.stop();
      report({
        label: `${lang} template`,
        name: name.replace("below N", `below ${n}`),
        ratio: round(median(ratios)),
        goal: "none (reference)",
        pass: null,
        spread: spread(ratios),
        template_ms: Math.round(median(times.template)),
        reference_ms: Math.round(median(times.reference)),
        n,
        n_note: n === TARGET_N ? "target N" : `smaller than the target ${TARGET_N}: the template's calibrated time for it exceeds the ${BUDGET_MS} ms job budget`,
        primes,
        chunk_size: CHUNK,
        rounds,
        estimated_ms: Math.round(calibration.estimateMs(n)),
        estimate_exponent: round(calibration.exponent),
        setup_ms: Math.round(setupMs),
      });
    } catch (error) {
      // One stack that cannot run (no toolchain) must not hide the others' results.
      report({ name, ratio: null, goal: "none (reference)", pass: null, spread: null, status: `failed: ${error.message.slice(0, 500)}` });
      process.exitCode = 1;
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  await rm(work, { recursive: true, force: true });
}
