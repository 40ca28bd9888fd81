import { expectedOutput } from "./expectedOutput.js";
import type { JobRequestBody } from "./expectedJobOutcome.js";
import { oneOf, problem, type FuzzCase } from "./FuzzCase.js";
import { satisfies, trickyAccumulators, trickyValues, type FunctionInfo } from "./functionInputs.js";

const json = { "content-type": "application/json" };

/** Words that are Object.prototype members once lower-cased (only "constructor" survives tokenizing). */
const prototypeTexts = ["constructor", "__proto__", "Constructor __proto__ constructor", "toString valueOf hasOwnProperty constructor", "prototype isPrototypeOf"];

/**
 * Fixed cases sent on every run, whatever the seed: each built-in function called with every
 * tricky value its inputSchema accepts (1e200 for square, "constructor" for tokenize and
 * wordFrequency, …), and small jobs over the same values, so these never depend on luck.
 */
export function trickyCases(catalogue: readonly FunctionInfo[]): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (const fn of catalogue) {
    for (const value of trickyValues) {
      if (!satisfies(fn.inputSchema, value) || (fn.name === "sleep" && (value as number) > 15)) continue;
      if ((fn.name === "isPrime" || fn.name === "countPrimes") && Math.abs(value as number) > 2 ** 40 && value !== 9007199254740881) continue;
      const input = fn.kind === "reducer" ? [fn.identity, value] : value;
      const expected = expectedOutput(fn.name, input);
      const expect = !expected ? oneOf([200], ["function_failed"]) : "throws" in expected ? problem("function_failed") : oneOf([200]);
      out.push({ generator: "tricky call", method: "POST", path: `/v1/functions/${fn.name}/call`, headers: json, body: JSON.stringify({ input }), expect, call: { function: fn.name, input } });
    }
  }
  // Reducer calls whose accumulator already holds prototype names as own keys.
  for (const fn of catalogue.filter((f) => f.kind === "reducer")) {
    for (const acc of trickyAccumulators.filter((a) => satisfies(fn.outputSchema, a))) {
      for (const value of trickyValues.filter((v) => satisfies(fn.inputSchema, v) && (typeof v !== "number" || Math.abs(v) < 2 ** 40))) {
        const input = [acc, value];
        const expected = expectedOutput(fn.name, input);
        const expect = !expected ? oneOf([200], ["function_failed"]) : "throws" in expected ? problem("function_failed") : oneOf([200]);
        out.push({ generator: "tricky call", method: "POST", path: `/v1/functions/${fn.name}/call`, headers: json, body: JSON.stringify({ input }), expect, call: { function: fn.name, input } });
      }
    }
  }
  const jobs: JobRequestBody[] = [
    { kind: "map", function: "square", input: { items: [1e200, 3, -1e200, Number.MAX_VALUE] } },
    { kind: "fold", function: "sum", input: { items: [Number.MAX_VALUE, Number.MAX_VALUE] } },
    { kind: "fold", function: "sum", input: { items: [1e308, -1e308, 1] } },
    { kind: "fold", function: "wordFrequency", input: { items: prototypeTexts } },
    { kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: prototypeTexts } },
    { kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a", { not: "a string" }, "b"] } },
    { kind: "map", function: "isEven", input: { items: [2 ** 53, -(2 ** 53 - 1), 0, -0] } },
    { kind: "filter", function: "isPrime", input: { items: [9007199254740881, 2, 1, -7] } },
    { kind: "map", function: "echo", input: { items: [JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}') as unknown] } },
  ];
  for (const job of jobs) {
    out.push({ generator: "tricky job", method: "POST", path: "/v1/jobs", headers: { ...json, prefer: "wait=5" }, body: JSON.stringify(job), expect: oneOf([200, 202]), job });
  }
  return out;
}
