import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { errorCodes } from "@polybridge/spec";
import { parse } from "yaml";
import { z } from "zod";
import { caseFileSchema, caseSchema, stepSchemas, type Step } from "./caseSchema.js";
import { MATCHER_OPERATORS } from "./matchValue.js";
import { compileOrder } from "./compileOrder.js";

/** One conformance case, as read from a YAML file. */
export interface ConformanceCase {
  id: string;
  /** The sentence of the protocol this case checks. */
  requirement: string;
  /** The YAML file it came from (base name). */
  file: string;
  exclusive: boolean;
  timeoutMs: number;
  steps: Step[];
  finally: Step[];
}

/** The folder of the bundled cases (`test/conformance/cases`). */
export const casesDir: string = fileURLToPath(new URL("../cases/", import.meta.url));

const GENERATORS = new Set(["$fill", "$nest"]);

/**
 * Reads and validates every `*.yaml` case file of a folder, sorted by file then order in file.
 * Throws one error listing every problem (bad shape, duplicate id, unknown matcher, an error code
 * the spec does not define, an unregistered named check).
 *
 * @example
 * const cases = loadCases(casesDir, ["manyJobsAtOnce"]);
 * console.log(cases.length, cases[0]?.id);
 */
export function loadCases(dir: string = casesDir, checkNames: readonly string[] = []): ConformanceCase[] {
  const problems: string[] = [];
  const cases: ConformanceCase[] = [];
  const seen = new Set<string>();
  const codes = new Set<string>(errorCodes());
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
    let yaml: unknown;
    try {
      yaml = parse(readFileSync(join(dir, file), "utf8"), { merge: true });
    } catch (e) {
      problems.push(`${file}: ${(e as Error).message}`);
      continue;
    }
    const doc = caseFileSchema.safeParse(yaml);
    if (!doc.success) {
      problems.push(`${file}: ${z.prettifyError(doc.error)}`);
      continue;
    }
    doc.data.cases.forEach((raw, index) => {
      const where = `${file}#${index + 1}`;
      const parsed = caseSchema.safeParse(raw);
      if (!parsed.success) return void problems.push(`${where}: ${z.prettifyError(parsed.error)}`);
      const c = parsed.data;
      if (seen.has(c.id)) problems.push(`${where}: duplicate id ${c.id}`);
      seen.add(c.id);
      const parseSteps = (list: Record<string, unknown>[], part: string): Step[] =>
        list.flatMap((s, i) => {
          const step = parseStep(s, `${where} ${c.id} ${part}[${i}]`, problems);
          if (step) lintStep(step, `${c.id} ${part}[${i}]`, { codes, checkNames }, problems);
          return step ? [step] : [];
        });
      cases.push({ ...c, file, steps: parseSteps(c.steps, "steps"), finally: parseSteps(c.finally, "finally") });
    });
  }
  if (problems.length > 0) throw new Error(`invalid conformance cases:\n  ${problems.join("\n  ")}`);
  return cases;
}

function parseStep(raw: Record<string, unknown>, where: string, problems: string[]): Step | undefined {
  const kind = (Object.keys(stepSchemas) as (keyof typeof stepSchemas)[]).find((k) => k in raw);
  if (!kind) return void problems.push(`${where}: a step needs one of ${Object.keys(stepSchemas).join(", ")}`);
  const parsed = stepSchemas[kind].safeParse(raw);
  if (!parsed.success) return void problems.push(`${where}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

interface LintContext {
  codes: Set<string>;
  checkNames: readonly string[];
}

function lintStep(step: Step, where: string, ctx: LintContext, problems: string[]): void {
  if ("check" in step && !ctx.checkNames.includes(step.check)) {
    problems.push(`${where}: unknown check '${step.check}' (registered: ${ctx.checkNames.join(", ")})`);
  }
  if ("request" in step) {
    walk(step.request.body, (key) => key.startsWith("$") && !GENERATORS.has(key) && problems.push(`${where}: unknown body generator ${key}`));
    lintExpect(step.expect, where, ctx, problems);
    lintExpect(step.poll?.until, where, ctx, problems);
  }
  if ("raw" in step) lintExpect(step.expect, where, ctx, problems);
  if ("sse" in step) {
    lintExpect(step.expect, where, ctx, problems);
    if (step.expect?.order !== undefined) {
      try {
        compileOrder(step.expect.order);
      } catch (e) {
        problems.push(`${where}: ${(e as Error).message}`);
      }
    }
  }
}

function lintExpect(expect: unknown, where: string, ctx: LintContext, problems: string[]): void {
  const operators = new Set<string>(MATCHER_OPERATORS);
  walk(expect, (key, value) => {
    if (key.startsWith("$") && !operators.has(key)) problems.push(`${where}: unknown matcher ${key}`);
    if (key === "$pattern") {
      try {
        new RegExp(String(value), "u");
      } catch (e) {
        problems.push(`${where}: bad $pattern: ${(e as Error).message}`);
      }
    }
    // Expected error codes must be ones the spec defines, so a renamed code fails loudly here.
    if (key === "code" && typeof value === "string" && !value.includes("${") && !ctx.codes.has(value)) {
      problems.push(`${where}: error code '${value}' is not in the spec's ErrorCode enum`);
    }
  });
}

function walk(value: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(value)) return value.forEach((v) => walk(v, visit));
  if (value === null || typeof value !== "object") return;
  for (const [k, v] of Object.entries(value)) {
    visit(k, v);
    walk(v, visit);
  }
}
