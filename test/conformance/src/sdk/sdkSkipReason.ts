import { operations, type OperationId } from "@polybridge/sdk";
import type { ExpectSpec, RequestStep, SseStep, Step } from "../caseSchema.js";
import type { WireRequest } from "../HttpSession.js";
import type { ConformanceCase } from "../loadCases.js";
import { NotExpressible } from "./NotExpressible.js";
import { sdkReadHeaders } from "./sdkReadHeaders.js";
import { toSdkCall } from "./toSdkCall.js";

/**
 * Why a case cannot run through the typed SDK, or undefined when it can. The rule, applied to
 * every step (clean-up steps included) before anything is sent:
 * - a request must map onto a typed SDK call (`toSdkCall`): no `bodyRaw`/`bodyBytes`, a route
 *   and method of the spec, valid percent-encoding, declared query parameters and headers only,
 *   the SDK's own media type; `request` steps use request operations, `sse` steps the event stream;
 * - expectations and captures may only name response headers the SDK reads (`sdkReadHeaders`);
 * - the operation must answer JSON on success (not `GET /v1/openapi.yaml`);
 * - nothing may depend on `: heartbeat` comments, which the SDK does not surface;
 * - no `raw` steps (bytes on a socket) and no `bodyText` (the body as received).
 * Variables are not known yet, so each `${…}` stands in as a plain value for this check.
 *
 * @example
 * sdkSkipReason(caseById("bad-input.malformed-json-job"));
 * // "step 1: sends a raw body (bodyRaw); the SDK only sends JSON it serialises itself"
 */
export function sdkSkipReason(c: ConformanceCase): string | undefined {
  const steps = [...c.steps, ...c.finally];
  for (const [i, step] of steps.entries()) {
    const reason = stepReason(placeholders(step) as Step);
    if (reason !== undefined) return `${i < c.steps.length ? `step ${i + 1}` : `finally step ${i - c.steps.length + 1}`}: ${reason}`;
  }
  return undefined;
}

function stepReason(step: Step): string | undefined {
  if ("request" in step) return requestReason(step);
  if ("sse" in step) return sseReason(step);
  if ("raw" in step) return "writes raw bytes on a socket (raw); the SDK sends only requests it builds itself";
  return undefined;
}

function requestReason(step: RequestStep): string | undefined {
  const call = expressible(step.request as WireRequest);
  if ("reason" in call) return call.reason;
  if (call.operationId === "streamJobEvents") return "reads an event stream with a request step; the SDK reads it with jobs.events (an sse step)";
  const success = Object.entries(operations[call.operationId].responses).find(([status]) => status.startsWith("2"))?.[1] ?? {};
  if (!Object.keys(success).some((type) => /json/.test(type))) return `reads ${call.operationId}, whose answer is not JSON (${Object.keys(success).join(", ")}); the SDK reads JSON answers only`;
  if (step.expect?.bodyText !== undefined || step.poll?.until.bodyText !== undefined) return "matches the body as text (bodyText); the SDK hands over parsed values only";
  return headerReason("expects", step.expect) ?? headerReason("polls for", step.poll?.until) ?? captureReason(step.capture);
}

function sseReason(step: SseStep): string | undefined {
  const call = expressible({ method: "GET", path: step.sse.path, headers: step.sse.headers });
  if ("reason" in call) return call.reason;
  if (call.operationId !== "streamJobEvents") return `opens an event stream on ${call.operationId}, which is not one`;
  if (step.expect?.heartbeats !== undefined) return "counts heartbeat comments, which the SDK does not surface";
  if (Object.values(step.capture ?? {}).some((path) => path === "heartbeats" || path.startsWith("heartbeats."))) return "captures heartbeat comments, which the SDK does not surface";
  return headerReason("expects", step.expect) ?? captureReason(step.capture);
}

// The operation that sends the request, or why none can.
function expressible(req: WireRequest): { operationId: OperationId } | { reason: string } {
  try {
    return { operationId: toSdkCall(req).operationId };
  } catch (e) {
    if (e instanceof NotExpressible) return { reason: e.message };
    throw e;
  }
}

function headerReason(verb: string, spec: ExpectSpec | undefined): string | undefined {
  const name = Object.keys(spec?.headers ?? {}).map((h) => h.toLowerCase()).find((h) => !sdkReadHeaders.includes(h));
  return name === undefined ? undefined : `${verb} response header '${name}', which the SDK does not read`;
}

function captureReason(capture: Record<string, string> | undefined): string | undefined {
  for (const path of Object.values(capture ?? {})) {
    const [head, name] = path.split(".");
    if (head === "headers" && (name === undefined || !sdkReadHeaders.includes(name.toLowerCase()))) {
      return `captures response header${name === undefined ? "s" : ` '${name}'`}, which the SDK does not read`;
    }
  }
  return undefined;
}

// Each `${…}` becomes a plain value: enough to decide the route, the parameters and the body's presence.
function placeholders(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\$\{[^}]+\}/g, "x");
  if (Array.isArray(value)) return value.map(placeholders);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, placeholders(v)]));
  return value;
}
