import { startServer, type RunningServer } from "@polybridge/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FuzzCase } from "./FuzzCase.js";
import { fuzzConfig } from "./fuzzConfig.js";
import type { FunctionInfo } from "./functionInputs.js";
import { bodyMutationCases, headerCases, limitCases, pathCases, queryCases, rawCases, rawRequests, routeCases } from "./malformedCases.js";
import { runFuzz } from "./runFuzz.js";
import { trickyCases } from "./trickyCases.js";
import { validCases } from "./validCases.js";

// A spec-driven fuzzer: requests generated from spec/openapi.yaml (valid ones and mutations of
// them) against a real server on a loopback ephemeral port. Bounded: ~1,100 small requests.

let server: RunningServer;
let catalogue: FunctionInfo[];

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", workers: 2, heartbeatMs: 200 });
  const res = await fetch(`${server.url}/v1/functions`);
  catalogue = ((await res.json()) as { functions: FunctionInfo[] }).functions;
});
afterAll(() => server?.close(1_000));

describe("spec-driven fuzzer", () => {
  it("answers every generated request within the contract and stays up", async () => {
    const { seed, runs } = fuzzConfig();
    expect(catalogue.map((f) => f.name)).toEqual(expect.arrayContaining(["echo", "square", "isEven", "sum", "tokenize", "fail", "sleep", "isPrime", "countPrimes", "sha256", "wordFrequency"]));
    const valid = validCases(catalogue);
    const all: fc.Arbitrary<FuzzCase> = fc.oneof(
      { arbitrary: valid, weight: 9 },
      { arbitrary: bodyMutationCases(valid), weight: 7 },
      { arbitrary: pathCases(), weight: 1 },
      { arbitrary: queryCases(), weight: 1 },
      { arbitrary: headerCases(), weight: 1 },
      { arbitrary: routeCases(), weight: 1 },
      { arbitrary: rawCases(), weight: 1 },
    );
    // Fixed tricky cases first, so their jobs are among the ones polled to the end.
    const fixed = [...trickyCases(catalogue), ...rawRequests(), ...limitCases()];
    const cases = [...fixed, ...fc.sample(all, { seed, numRuns: runs })];
    console.log(`fuzz: seed=${seed} (FUZZ_SEED) runs=${runs} (FUZZ_RUNS) + ${fixed.length} fixed tricky/limit cases`);

    const started = Date.now();
    const report = await runFuzz(cases, { port: server.port, catalogue: new Map(catalogue.map((f) => [f.name, f])) });
    const byGenerator = [...report.byGenerator].sort(([a], [b]) => a.localeCompare(b)).map(([g, n]) => `${g}:${n}`).join(", ");
    console.log(`fuzz: cases by generator: ${byGenerator}`);
    if (report.groups.size > 0) console.log(`fuzz: distinct failures (smallest reproduction each):\n${report.details()}`);
    console.log(`${report.summary(seed)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    expect(report.cases).toBeGreaterThanOrEqual(Math.min(runs, 1_000));
    // The assertion message is the list, so a failing run says what broke without scrolling.
    expect(report.groups.size, `${report.summary(seed)}\n${report.details()}`).toBe(0);
    // The whole file must stay under a minute on 2 cores; a run that takes longer fails here.
  }, 60_000);
});
