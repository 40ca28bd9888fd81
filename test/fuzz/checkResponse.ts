import { createResponseValidator, problemFacts, type ErrorCode } from "@polybridge/spec";
import { canonicalJson, expectedOutput } from "./expectedOutput.js";
import { checkEventStream } from "./checkEventStream.js";
import { checkHeaders } from "./checkHeaders.js";
import type { FuzzCase } from "./FuzzCase.js";
import { satisfies, type FunctionInfo } from "./functionInputs.js";
import type { RawResponse } from "./sendRaw.js";

/** One broken property: a short stable name (for grouping) and what was seen. */
export interface Violation {
  property: string;
  detail: string;
  /** What makes two violations the same problem, when the detail alone would split them. */
  group?: string;
}

const validate = createResponseValidator();
const facts = problemFacts();

/** The JSON body of a response, or undefined when it is not JSON. */
export function jsonBody(res: RawResponse): unknown {
  try {
    return JSON.parse(res.body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Checks one response against the properties every answer shares, plus the case's expectation:
 * no 5xx but 503 queue_full/shutting_down with Retry-After (and the specified 504 call_timeout of
 * a sync call), every non-2xx a problem+json whose `code` is an HTTP-level ErrorCode with
 * `status` = the HTTP status, the response valid for the spec, and sync call outputs as modelled.
 */
export function checkResponse(c: FuzzCase, path: string, res: RawResponse, catalogue: ReadonlyMap<string, FunctionInfo>): Violation[] {
  const out: Violation[] = [];
  const contentType = (res.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const isJson = contentType === "application/json" || contentType === "application/problem+json";
  const body = isJson ? jsonBody(res) : res.body.toString("utf8");
  const code = res.status >= 300 && body !== null && typeof body === "object" ? (body as { code?: unknown }).code : undefined;
  if (isJson && body === undefined && !res.timedOut) out.push({ property: "body is the JSON its content-type says", detail: res.body.toString("utf8").slice(0, 200) });

  if (res.status >= 500) {
    const unavailable = res.status === 503 && (code === "queue_full" || code === "shutting_down") && /^\d+$/.test(res.headers["retry-after"] ?? "");
    const callTimeout = res.status === 504 && code === "call_timeout" && c.path.endsWith("/call");
    if (!unavailable && !callTimeout) out.push({ property: "no 5xx", detail: `${res.status} ${String(code)}` });
  }
  if (res.status >= 300) {
    if (contentType !== "application/problem+json") out.push({ property: "non-2xx is application/problem+json", detail: `${res.status} content-type '${res.headers["content-type"] ?? ""}' body ${res.body.toString("utf8").slice(0, 120)}` });
    else {
      const p = body as { code?: unknown; status?: unknown; type?: unknown };
      const known = typeof p?.code === "string" && p.code in facts;
      if (!known) out.push({ property: "problem code is in ErrorCode", detail: `code ${JSON.stringify(p?.code)}` });
      else if (facts[p.code as ErrorCode].job) out.push({ property: "job-only code never answers a request", detail: `code ${String(p.code)}` });
      else if (facts[p.code as ErrorCode].status !== res.status) out.push({ property: "problem code matches x-problems status", detail: `${res.status} with code ${String(p.code)} (x-problems: ${facts[p.code as ErrorCode].status})` });
      if (p?.status !== res.status) out.push({ property: "problem status equals HTTP status", detail: `HTTP ${res.status}, body status ${JSON.stringify(p?.status)}` });
      if (known && p.type !== `https://polybridge.dev/problems/${String(p.code)}`) out.push({ property: "problem type names its code", detail: `type ${JSON.stringify(p.type)}` });
    }
  }

  // An event stream cut by our timeout is not a whole body; its status and content type were checked.
  if (!res.timedOut || contentType !== "text/event-stream") {
    const verdict = validate({ method: c.method === "RAW" ? "GET" : c.method, path, status: res.status, contentType: res.headers["content-type"], body });
    if (!verdict.ok) out.push({ property: "response validates against the spec", detail: `${verdict.operationId ?? "unrouted"} ${res.status}: ${verdict.errors.slice(0, 3).join("; ")}` });
  }

  if (res.status === 200 && contentType === "text/event-stream") out.push(...checkEventStream(res.body.toString("utf8"), !res.timedOut, Number(c.headers["last-event-id"] ?? 0)));
  out.push(...checkHeaders(c, path, res, body));

  const e = c.expect;
  const tail = `got ${res.status}${code === undefined ? "" : ` ${String(code)}`}`;
  if (e.kind === "reject" && !(res.status >= 400 && res.status < 500)) out.push({ property: "spec-invalid request is refused with 4xx", detail: tail });
  if (e.kind === "oneOf" && !e.statuses.includes(res.status) && !(typeof code === "string" && e.codes.includes(code)) && !(res.status === 503 && code === "queue_full")) {
    out.push({ property: "answer as specified", detail: `expected ${[...e.statuses, ...e.codes].join(" | ")}, ${tail}` });
  }

  if (c.call && res.status === 200) out.push(...checkCallOutput(c.call, (body as { output?: unknown }).output, catalogue));
  return out;
}

/** A 200 call's output must satisfy the function's own outputSchema and the PROTOCOL.md model. */
function checkCallOutput(call: { function: string; input: unknown }, output: unknown, catalogue: ReadonlyMap<string, FunctionInfo>): Violation[] {
  const out: Violation[] = [];
  const fn = catalogue.get(call.function);
  if (fn && !satisfies(fn.outputSchema, output)) out.push({ property: "call output satisfies the function's outputSchema", detail: `${call.function}(${JSON.stringify(call.input)}) → ${JSON.stringify(output)}`, group: call.function });
  const expected = expectedOutput(call.function, call.input);
  if (expected && "output" in expected && canonicalJson(expected.output) !== canonicalJson(output)) {
    out.push({ property: "call output as PROTOCOL.md says", detail: `${call.function}(${JSON.stringify(call.input)}) → ${JSON.stringify(output)}, expected ${JSON.stringify(expected.output)}`, group: call.function });
  }
  return out;
}
