import { createAjv, createResponseValidator, deref, loadSpec, matchOperation, type JsonObject } from "@polybridge/spec";

/** What the contract checker needs to know about one response. */
export interface CheckedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | undefined;
  body: unknown;
}

/** Checks responses and SSE events against `spec/openapi.yaml`; each method returns the breaks. */
export interface ContractChecker {
  response(res: CheckedResponse): string[];
  event(event: { event: string; data: unknown }): string[];
}

/**
 * Builds the checker every exchange of the suite goes through: the spec's response validator,
 * plus the problem rules the schema only describes in prose (`type` is the problem URI of
 * `code`, `status` equals the HTTP status), plus `JobEvent` for each Server-Sent Event.
 * Unknown routes have no operation in the spec, so their errors are checked against `Problem`.
 *
 * @example
 * const contract = createContractChecker();
 * contract.response({ method: "GET", path: "/v1/health", status: 200, contentType: "application/json", body });
 */
export function createContractChecker(): ContractChecker {
  const validate = createResponseValidator();
  const doc = loadSpec();
  const ajv = createAjv();
  const problem = ajv.compile(deref(doc, { $ref: "#/components/schemas/Problem" }) as JsonObject);
  const jobEvent = ajv.compile(deref(doc, { $ref: "#/components/schemas/JobEvent" }) as JsonObject);
  const problemType = problemTypeTemplate(doc);
  const schemaErrors = (errors: typeof problem.errors): string[] =>
    (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);

  return {
    response(res) {
      const out: string[] = [];
      const isProblem = (res.contentType ?? "").toLowerCase().startsWith("application/problem+json");
      if (!matchOperation(res.method === "HEAD" ? "GET" : res.method, res.path) && res.status >= 400) {
        if (!isProblem) out.push(`content type '${res.contentType ?? ""}' is not application/problem+json`);
        else if (res.method !== "HEAD" && !problem(res.body)) out.push(...schemaErrors(problem.errors).map((e) => `Problem ${e}`));
      } else if (res.method === "HEAD") {
        // HEAD is GET without a body (docs/PROTOCOL.md): GET's status and content type must be declared;
        // body-schema errors (they start with the instance path, "/…") cannot apply to an answer without one.
        const verdict = validate({ ...res, method: "GET", contentType: res.contentType ?? null });
        out.push(...verdict.errors.filter((e) => !e.startsWith("/")).map((e) => `HEAD as ${verdict.operationId ?? "GET"}: ${e}`));
      } else {
        const verdict = validate({ ...res, contentType: res.contentType ?? null });
        out.push(...verdict.errors.map((e) => (verdict.operationId ? `${verdict.operationId}: ${e}` : e)));
      }
      if (res.status >= 400 && isProblem && res.body !== null && typeof res.body === "object") {
        const body = res.body as { type?: unknown; code?: unknown; status?: unknown };
        const type = problemType.replace("{code}", String(body.code));
        if (body.type !== type) out.push(`problem type is ${JSON.stringify(body.type)}, expected ${JSON.stringify(type)}`);
        if (body.status !== res.status) out.push(`problem status ${JSON.stringify(body.status)} differs from HTTP status ${res.status}`);
      }
      return out;
    },
    event(event) {
      const name = event.event;
      return jobEvent(event) ? [] : schemaErrors(jobEvent.errors).map((e) => `JobEvent '${name}' ${e}`);
    },
  };
}

// The problem URI template is prose in the spec (Problem.type's description); read it from there.
function problemTypeTemplate(doc: JsonObject): string {
  const schemas = (doc.components as JsonObject).schemas as JsonObject;
  const description = String(((((schemas.Problem as JsonObject).properties as JsonObject).type as JsonObject).description) ?? "");
  const m = /`([^`\s]*\{code\}[^`\s]*)`/.exec(description);
  if (!m?.[1]) throw new Error("spec: Problem.type's description no longer names the `…{code}` URI template");
  return m[1];
}
