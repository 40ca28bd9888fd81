// Client-side checks before anything is sent: the function's own JSON Schemas (from the live
// catalogue) for items and call inputs, and the contract's schemas (inlined by build.mjs from
// spec/openapi.yaml) for the options, the range and the request as a whole. Ajv is the validator
// the server itself uses, in the same 2020-12 dialect, so the page and the server agree.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { FunctionInfo, JobRequest } from "@polybridge/sdk/browser";

declare const __POLYBRIDGE_CONTRACT__: { jobOptions: object; range: object; jobRequest: object; callRequest: object };

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, discriminator: true, useDefaults: false }));
const compiled = new Map<string, ValidateFunction>();

function validator(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (!fn) {
    fn = ajv.compile(typeof schema === "object" && schema !== null ? schema : {});
    compiled.set(key, fn);
  }
  return fn;
}

/** The form fields a problem can point at. */
export type FieldId = "items" | "call-input" | "range" | "chunk-size" | "concurrency" | "timeout-ms" | "form";

/** One thing wrong with the form. */
export interface Issue {
  field: FieldId;
  message: string;
}

/** What the form holds, before checking. */
export interface FormValues {
  kind: "call" | JobRequest["kind"];
  fn: FunctionInfo | undefined;
  reducer: FunctionInfo | undefined;
  callInput: string;
  source: "items" | "range";
  items: string;
  range: { start: string; end: string; step: string };
  chunkSize: string;
  concurrency: string;
  timeoutMs: string;
}

/** A checked form: a call or a job request ready to send, or the issues that stop it. */
export type Checked =
  | { ok: true; call: { name: string; input: unknown; timeoutMs?: number } }
  | { ok: true; job: JobRequest }
  | { ok: false; issues: Issue[] };

const MAX_ITEM_ISSUES = 5;

function messageOf(error: ErrorObject): string {
  const where = error.instancePath ? `${error.instancePath} ` : "";
  const prop = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  if (error.keyword === "required") return `${where}needs property "${prop.missingProperty}"`;
  if (error.keyword === "additionalProperties") return `${where}has unexpected property "${prop.additionalProperty}"`;
  if (error.keyword === "enum") return `${where}must be one of ${JSON.stringify(prop.allowedValues)}`;
  return `${where}${error.message ?? "is invalid"}`;
}

/** Error messages of `value` against a JSON Schema (at most a few, de-duplicated). */
export function schemaErrors(schema: unknown, value: unknown): string[] {
  const validate = validator(schema);
  if (validate(value)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf" && e.keyword !== "if");
  return [...new Set((errors.length > 0 ? errors : (validate.errors ?? [])).map(messageOf))].slice(0, 3);
}

function parseJson(text: string, field: FieldId, what: string): { value: unknown } | Issue {
  if (text.trim() === "") return { field, message: `${what} is empty: write JSON, e.g. [1, 2, 3].` };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { field, message: `${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Reads an integer field; empty is `undefined`. */
function intField(text: string, field: FieldId, label: string, issues: Issue[]): number | undefined {
  if (text.trim() === "") return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    issues.push({ field, message: `${label} must be a whole number.` });
    return undefined;
  }
  return n;
}

function itemIssues(items: unknown[], fn: FunctionInfo, field: FieldId, issues: Issue[]): void {
  let bad = 0;
  for (let i = 0; i < items.length; i++) {
    const errors = schemaErrors(fn.inputSchema, items[i]);
    if (errors.length === 0) continue;
    if (++bad <= MAX_ITEM_ISSUES) issues.push({ field, message: `item ${i} (${JSON.stringify(items[i])?.slice(0, 40)}): ${errors.join("; ")} (${fn.name}'s input schema)` });
  }
  if (bad > MAX_ITEM_ISSUES) issues.push({ field, message: `… and ${bad - MAX_ITEM_ISSUES} more items do not match ${fn.name}'s input schema.` });
}

/** Size of `{ start, end, step }` (integers start, start+step, … excluding end). */
export function rangeLength(start: number, end: number, step: number): number {
  if (step === 0) return 0;
  return Math.max(0, Math.ceil((end - start) / step));
}

/**
 * Checks the form: JSON syntax, the function's input schema for every item (or the first and
 * last value of a range, which bound a monotone range), the contract's schemas for the range,
 * options and the whole request.
 */
export function checkForm(v: FormValues): Checked {
  const issues: Issue[] = [];
  if (!v.fn) return { ok: false, issues: [{ field: "form", message: "Choose a function (the catalogue may not have loaded yet)." }] };
  const timeoutMs = intField(v.timeoutMs, "timeout-ms", "Timeout", issues);

  if (v.kind === "call") {
    const parsed = parseJson(v.callInput, "call-input", "The input");
    if ("field" in parsed) return { ok: false, issues: [parsed, ...issues] };
    const input = parsed.value;
    if (v.fn.kind === "reducer") {
      if (!Array.isArray(input) || input.length !== 2) issues.push({ field: "call-input", message: `A reducer takes [accumulator, item]; ${v.fn.name} got ${JSON.stringify(input)?.slice(0, 40)}.` });
      else {
        for (const m of schemaErrors(v.fn.outputSchema, input[0])) issues.push({ field: "call-input", message: `accumulator: ${m} (${v.fn.name}'s output schema)` });
        for (const m of schemaErrors(v.fn.inputSchema, input[1])) issues.push({ field: "call-input", message: `item: ${m} (${v.fn.name}'s input schema)` });
      }
    } else {
      for (const m of schemaErrors(v.fn.inputSchema, input)) issues.push({ field: "call-input", message: `input: ${m} (${v.fn.name}'s input schema)` });
    }
    const body = timeoutMs === undefined ? { input } : { input, timeoutMs };
    for (const m of schemaErrors(__POLYBRIDGE_CONTRACT__.callRequest, body)) issues.push({ field: m.startsWith("/timeoutMs") ? "timeout-ms" : "form", message: m.replace(/^\/timeoutMs /, "Timeout ") });
    return issues.length > 0 ? { ok: false, issues } : { ok: true, call: { name: v.fn.name, ...body } };
  }

  // Jobs: the emitter's items for mapreduce, the reducer's items for fold, the unary's otherwise.
  let input: { items: unknown[] } | { range: { start: number; end: number; step?: number } } | undefined;
  if (v.source === "items") {
    const parsed = parseJson(v.items, "items", "Items");
    if ("field" in parsed) issues.push(parsed);
    else if (!Array.isArray(parsed.value)) issues.push({ field: "items", message: "Items must be a JSON array, e.g. [1, 2, 3]." });
    else {
      itemIssues(parsed.value, v.fn, "items", issues);
      input = { items: parsed.value };
    }
  } else {
    const count = issues.length;
    const start = intField(v.range.start, "range", "Start", issues);
    const end = intField(v.range.end, "range", "End", issues);
    const step = intField(v.range.step, "range", "Step", issues);
    if (start === undefined && issues.length === count) issues.push({ field: "range", message: "Start is required." });
    if (end === undefined && issues.length === count) issues.push({ field: "range", message: "End is required." });
    if (start !== undefined && end !== undefined && issues.length === count) {
      const range = step === undefined ? { start, end } : { start, end, step };
      const errors = schemaErrors(__POLYBRIDGE_CONTRACT__.range, range);
      if (errors.length > 0) for (const m of errors) issues.push({ field: "range", message: `range ${m.replace(/^\/step must NOT be valid$/, "/step must not be 0")}` });
      else {
        const n = rangeLength(start, end, step ?? 1);
        const values = n === 0 ? [] : n === 1 ? [start] : [start, start + (n - 1) * (step ?? 1)];
        for (const value of values) {
          for (const m of schemaErrors(v.fn.inputSchema, value)) issues.push({ field: "range", message: `value ${value}: ${m} (${v.fn.name}'s input schema)` });
        }
        input = { range };
      }
    }
  }

  const options: { chunkSize?: number; concurrency?: number; timeoutMs?: number } = {};
  const chunkSize = intField(v.chunkSize, "chunk-size", "Chunk size", issues);
  const concurrency = intField(v.concurrency, "concurrency", "Concurrency", issues);
  if (chunkSize !== undefined) options.chunkSize = chunkSize;
  if (concurrency !== undefined) options.concurrency = concurrency;
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  const optionField: Record<string, FieldId> = { "/chunkSize": "chunk-size", "/concurrency": "concurrency", "/timeoutMs": "timeout-ms" };
  for (const m of schemaErrors(__POLYBRIDGE_CONTRACT__.jobOptions, options)) {
    const path = /^\/\w+/.exec(m)?.[0] ?? "";
    issues.push({ field: optionField[path] ?? "form", message: m });
  }
  if (v.kind === "mapreduce" && !v.reducer) issues.push({ field: "form", message: "Choose a reducer for mapreduce." });
  if (issues.length > 0 || !input) return { ok: false, issues };

  const base = { function: v.fn.name, input, ...(Object.keys(options).length > 0 ? { options } : {}) };
  const job: JobRequest = v.kind === "mapreduce" ? { kind: "mapreduce", reducer: v.reducer?.name ?? "", ...base } : { kind: v.kind, ...base };
  // The contract has the last word on the request's shape.
  const errors = schemaErrors(__POLYBRIDGE_CONTRACT__.jobRequest, job);
  if (errors.length > 0) return { ok: false, issues: errors.map((m) => ({ field: "form", message: `request ${m}` })) };
  return { ok: true, job };
}
