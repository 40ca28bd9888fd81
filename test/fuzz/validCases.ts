import { operations, type OperationSchemas } from "@polybridge/spec";
import fc from "fast-check";
import { expectedOutput } from "./expectedOutput.js";
import type { JobRequestBody } from "./expectedJobOutcome.js";
import { anything, oneOf, problem, type FuzzCase } from "./FuzzCase.js";
import { callInputArbitrary, itemArbitrary, satisfies, type FunctionInfo } from "./functionInputs.js";
import { defaultLimits, schemaArbitrary, type Schema } from "./schemaArbitrary.js";

const json = { "content-type": "application/json" };

function op(id: string): OperationSchemas {
  const found = operations().get(id);
  if (!found) throw new Error(`spec has no operation ${id}`);
  return found;
}

function prop(schema: Schema | undefined, name: string): Schema {
  const found = (schema?.properties as Record<string, Schema> | undefined)?.[name];
  if (!found) throw new Error(`spec schema has no property ${name}`);
  return found;
}

/** Fills `{name}` in an OpenAPI path template, percent-encoding the value as a client must. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => (values[key] === "{job}" ? "{job}" : encodeURIComponent(values[key] ?? "")));
}

/** A small shared pool of keys, so some submissions replay and some conflict. */
const sharedKeys = ["fuzz-key-1", "fuzz-key-2", "fuzz-key-3"];

/**
 * Valid requests for every operation of the spec: bodies from the request body schemas (the
 * JobRequest oneOf per kind, CallRequest), parameters from the parameter schemas, with items and
 * inputs drawn from the live catalogue so that jobs are small and fast.
 */
export function validCases(catalogue: readonly FunctionInfo[]): fc.Arbitrary<FuzzCase> {
  const names = catalogue.map((f) => f.name);
  const simpleGet = (id: string): fc.Arbitrary<FuzzCase> =>
    fc.constant({ generator: `valid ${id}`, method: "GET", path: op(id).path, headers: {}, expect: oneOf([200]) });

  const getFunction = fc.oneof(
    fc.constantFrom(...names).map((name): FuzzCase => ({ generator: "valid getFunction", method: "GET", path: fillPath(op("getFunction").path, { name }), headers: {}, expect: oneOf([200]) })),
    // Any name the spec's pattern allows: unknown names are 404 function_not_found.
    schemaArbitrary(prop(op("getFunction").params, "name")).map((raw): FuzzCase => {
      const name = raw as string;
      return { generator: "valid getFunction (random name)", method: "GET", path: fillPath(op("getFunction").path, { name }), headers: {}, expect: names.includes(name) ? oneOf([200]) : problem("function_not_found") };
    }),
  );

  const call = op("callFunction");
  const callFunction = fc.constantFrom(...catalogue).chain((fn) =>
    schemaArbitrary(call.body as Schema, defaultLimits, {
      "/input": callInputArbitrary(fn),
      "/timeoutMs": fc.integer({ min: 1, max: 5_000 }),
    }).map((body): FuzzCase => {
      const { input, timeoutMs } = body as { input: unknown; timeoutMs?: number };
      const expected = expectedOutput(fn.name, input);
      // Any explicit timeout may fire when the pool is busy (504 call_timeout is specified).
      const timeoutCodes = timeoutMs !== undefined ? ["call_timeout"] : [];
      // No model (square(1e200) overflows to Infinity, which JSON cannot carry): refusing is fine too.
      const expect = !expected ? oneOf([200], ["function_failed", ...timeoutCodes]) : "throws" in expected ? problem("function_failed", ...timeoutCodes) : oneOf([200], timeoutCodes);
      return { generator: "valid callFunction", method: "POST", path: fillPath(call.path, { name: fn.name }), headers: json, body: JSON.stringify(body), expect, call: { function: fn.name, input } };
    }),
  );

  return fc.oneof(
    simpleGet("getHealth"),
    simpleGet("listFunctions"),
    getFunction,
    { arbitrary: callFunction, weight: 4 },
    { arbitrary: submitJobCases(catalogue), weight: 6 },
    listJobsCases(),
    { arbitrary: jobIdCases(), weight: 3 },
  );
}

/** A job whose function matches its kind (map/filter: unary, fold: reducer, mapreduce: emitter + reducer). */
function submitJobCases(catalogue: readonly FunctionInfo[]): fc.Arbitrary<FuzzCase> {
  const submit = op("submitJob");
  const branches = ((submit.body as Schema).oneOf as Schema[]).map((branch) => ({ branch, kind: (prop(branch, "kind").const as string) }));
  const fnKind: Record<string, FunctionInfo["kind"]> = { map: "unary", filter: "unary", fold: "reducer", mapreduce: "emitter" };
  const reducers = catalogue.filter((f) => f.kind === "reducer").map((f) => f.name);
  const body = fc.constantFrom(...branches).chain(({ branch, kind }) =>
    fc.constantFrom(...catalogue.filter((f) => f.kind === fnKind[kind])).chain((fn) =>
      schemaArbitrary(branch, defaultLimits, {
        "/function": fc.constant(fn.name),
        "/reducer": fc.constantFrom(...reducers),
        "/input/items": fc.array(itemArbitrary(fn), { maxLength: 6 }),
        // Ranges stay short: at most 60 values.
        "/input/range/start": fc.integer({ min: -30, max: 30 }),
        "/input/range/end": fc.integer({ min: -30, max: 30 }),
        "/input/range/step": fc.constantFrom(1, 2, -1, -3, 7),
        "/options/chunkSize": fc.integer({ min: 1, max: 4 }),
        "/options/concurrency": fc.integer({ min: 1, max: 4 }),
        "/options/timeoutMs": fc.integer({ min: 5_000, max: 20_000 }),
      }).map((b) => ({ body: b as JobRequestBody, fn })),
    ),
  );
  const headers = fc.record(
    {
      prefer: fc.oneof(fc.constant("respond-async"), fc.integer({ min: 0, max: 2 }).map((n) => `wait=${n}`)),
      "idempotency-key": fc.oneof(fc.constantFrom(...sharedKeys), // Unique, since a repeated random key with another body is a legitimate 422 (fast-check
        // strings are biased towards names like "propertyIsEnumerable", so they do repeat).
        fc.uuid()),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(body, headers).map(([{ body: job, fn }, h]): FuzzCase => {
    const key = h["idempotency-key"];
    const codes = key !== undefined && sharedKeys.includes(key) ? ["idempotency_key_conflict"] : [];
    // A range over a function that takes no integers is refused at submit (first/last checked).
    const rangeOk = !("range" in job.input) || (satisfies(fn.inputSchema, job.input.range.start) && satisfies(fn.inputSchema, job.input.range.end));
    const expect = rangeOk ? oneOf([200, 202], codes) : anything;
    return { generator: "valid submitJob", method: "POST", path: submit.path, headers: { ...json, ...h }, body: JSON.stringify(job), expect, job };
  });
}

function listJobsCases(): fc.Arbitrary<FuzzCase> {
  const list = op("listJobs");
  return schemaArbitrary(list.querystring as Schema, { ...defaultLimits, maxLength: 30 }).map((raw): FuzzCase => {
    const query = raw as Record<string, string | number>;
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    // A random cursor is one the server never issued: 400 validation_failed is specified.
    const expect = "cursor" in query ? oneOf([200], ["validation_failed"]) : oneOf([200]);
    return { generator: "valid listJobs", method: "GET", path: `${list.path}${qs ? `?${qs}` : ""}`, headers: {}, expect };
  });
}

/** getJob, cancelJob, getJobResult, streamJobEvents on a job of this run or on a random id. */
function jobIdCases(): fc.Arbitrary<FuzzCase> {
  const statesOf: Record<string, FuzzCase["expect"]> = {
    getJob: oneOf([200]),
    cancelJob: oneOf([200], ["job_already_finished"]),
    getJobResult: oneOf([200], ["result_not_ready", "job_failed", "job_dismissed"]),
    streamJobEvents: oneOf([200]),
  };
  const id = fc.oneof({ arbitrary: fc.constant("{job}"), weight: 3 }, schemaArbitrary(prop(op("getJob").params, "id")).map((v) => v as string));
  const lastEventId = fc.option(schemaArbitrary({ type: "string", pattern: "^[0-9]{1,15}$" }).map((v) => v as string), { nil: undefined });
  return fc.tuple(fc.constantFrom(...Object.keys(statesOf)), id, lastEventId).map(([opId, jobId, last]): FuzzCase => {
    const o = op(opId);
    const headers: Record<string, string> = opId === "streamJobEvents" && last !== undefined ? { "last-event-id": last } : {};
    const expect = jobId === "{job}" ? (statesOf[opId] ?? anything) : problem("job_not_found");
    return { generator: `valid ${opId}`, method: o.method, path: fillPath(o.path, { id: jobId }), headers, expect };
  });
}
