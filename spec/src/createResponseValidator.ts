import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { deref } from "./deref.js";
import { loadSpec, type JsonObject } from "./loadSpec.js";
import { matchOperation, operations, responseFor } from "./operations.js";

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** What a response validator is asked to check. */
export interface ResponseCheck {
  method: string;
  /** The request path, e.g. `/v1/jobs/job_1/result` (query string allowed). */
  path: string;
  status: number;
  /** The `content-type` header (parameters such as `charset` are ignored). */
  contentType: string | null | undefined;
  /** The parsed body (JSON) or raw text (other media types). */
  body: unknown;
}

/** A readable verdict: `ok`, or the reasons the response breaks the contract. */
export interface ResponseVerdict {
  ok: boolean;
  operationId?: string;
  errors: string[];
}

/** Creates an Ajv instance configured for the spec's JSON Schema 2020-12 dialect. */
export function createAjv(options: { coerceTypes?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    discriminator: true,
    coerceTypes: options.coerceTypes ?? false,
    useDefaults: false,
  });
  addFormats(ajv);
  return ajv;
}

/**
 * Builds a checker that validates a response against `spec/openapi.yaml`: the status must be
 * declared for the operation, the content type must match, and a JSON body must satisfy the
 * schema. Used by the end-to-end tests and by the conformance runner.
 *
 * @example
 * const check = createResponseValidator();
 * const verdict = check({ method: "GET", path: "/v1/health", status: 200,
 *   contentType: "application/json", body: await res.json() });
 * if (!verdict.ok) console.error(verdict.errors.join("\n"));
 */
export function createResponseValidator(): (check: ResponseCheck) => ResponseVerdict {
  const ajv = createAjv();
  const doc = loadSpec();
  const problemContent = (deref(doc, { $ref: "#/components/responses/Problem" }) as JsonObject).content as JsonObject;
  const genericProblem: Record<string, JsonObject> = {};
  for (const [type, media] of Object.entries(problemContent)) genericProblem[type] = (media as JsonObject).schema as JsonObject;
  const compiled = new Map<JsonObject, ReturnType<Ajv2020["compile"]>>();
  // Touch the table once so a broken spec fails at construction, not mid-test.
  operations();
  return (check) => {
    const op = matchOperation(check.method, check.path);
    // A request outside every operation (unknown route, wrong method) must still get a problem.
    if (!op && check.status < 400) return { ok: false, errors: [`no operation for ${check.method} ${check.path}`] };
    const base = op ? { operationId: op.operationId } : {};
    const byType = op ? responseFor(op, check.status) : genericProblem;
    if (!byType) return { ...base, ok: false, errors: [`status ${check.status} is not declared for ${op?.operationId}`] };
    const type = (check.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const declared = Object.keys(byType);
    if (declared.length === 0) return { ...base, ok: true, errors: [] };
    const schema = byType[type];
    if (!schema) {
      return { ...base, ok: false, errors: [`content type '${type}' not declared for ${op?.operationId ?? "unrouted requests"} ${check.status} (expected ${declared.join(", ")})`] };
    }
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(schema);
      compiled.set(schema, validate);
    }
    if (validate(check.body)) return { ...base, ok: true, errors: [] };
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
    return { ...base, ok: false, errors };
  };
}
