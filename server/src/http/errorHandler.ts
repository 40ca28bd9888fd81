import { setTimeout as delay } from "node:timers/promises";
import { loadSpec, matchRoute, type JsonObject } from "@polybridge/spec";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ProblemError } from "../ProblemError.js";
import { drainRequest } from "./drainRequest.js";

interface AjvLikeError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

// The values each discriminator of the spec allows, by property name (`kind` → map, filter, fold,
// mapreduce), so an unknown kind is answered with what is allowed rather than ajv's oneOf wording.
const discriminatorValues = new Map<string, string[]>();
for (const schema of Object.values(((loadSpec().components as JsonObject | undefined)?.schemas ?? {}) as Record<string, JsonObject>)) {
  const d = schema.discriminator as { propertyName?: string; mapping?: Record<string, string> } | undefined;
  if (d?.propertyName && d.mapping) discriminatorValues.set(d.propertyName, [...new Set([...(discriminatorValues.get(d.propertyName) ?? []), ...Object.keys(d.mapping)])]);
}

const escapePointer = (key: string): string => key.replaceAll("~", "~0").replaceAll("/", "~1");

/**
 * RFC 6901 JSON Pointer of the offending part (docs/PROTOCOL.md): into the body; for a missing or
 * extra member (or a discriminator tag), the member itself; `/<name>` for a query or path parameter
 * (fastify validates them as objects, so ajv's path is already that). Headers keep a `header:` prefix.
 */
function fieldPath(error: AjvLikeError, context: string | undefined): string {
  let path = error.instancePath;
  const prop = error.params.missingProperty ?? error.params.additionalProperty ?? (error.keyword === "discriminator" ? error.params.tag : undefined);
  if (typeof prop === "string") path += `/${escapePointer(prop)}`;
  return context === "headers" ? `header:${path || "/"}` : path;
}

function fieldMessage(error: AjvLikeError): string {
  if (error.keyword === "additionalProperties") return "is not allowed";
  if (error.keyword === "required") return "is required";
  if (error.keyword === "enum") return `must be one of ${JSON.stringify(error.params.allowedValues)}`;
  if (error.keyword === "discriminator") {
    const allowed = discriminatorValues.get(String(error.params.tag));
    if (allowed) return `must be one of ${allowed.join(", ")}`;
  }
  return error.message ?? "is invalid";
}

/** Translates fastify and library errors into problems with the spec's codes. */
export function toProblemError(error: FastifyError & { validation?: AjvLikeError[]; validationContext?: string }): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error.validation) {
    const seen = new Set<string>();
    const errors = error.validation
      // A failed oneOf repeats its branches' errors; the branch errors carry the useful paths.
      .filter((e) => e.keyword !== "oneOf" || error.validation?.length === 1)
      .map((e) => ({ path: fieldPath(e, error.validationContext), message: fieldMessage(e) }))
      .filter((e) => !seen.has(`${e.path} ${e.message}`) && seen.add(`${e.path} ${e.message}`));
    const count = errors.length === 1 ? "1 field is invalid" : `${errors.length} fields are invalid`;
    return new ProblemError("validation_failed", `${count}: ${errors.map((e) => `${e.path || "/"} ${e.message}`).join("; ")}`, { errors });
  }
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_TYPE":
      return new ProblemError("unsupported_media_type", "Send the body as application/json.");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ProblemError("payload_too_large", error.message);
    case "FST_ERR_BAD_URL":
      return new ProblemError("validation_failed", "The URL is not valid percent-encoding.", { errors: [{ path: "url:/", message: "is not a valid URL" }] });
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new ProblemError("validation_failed", "A path segment is too long.", { errors: [{ path: "url:/", message: "has a segment over 1000 characters" }] });
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ProblemError("invalid_json", error.message);
    default:
      return ProblemError.from(error);
  }
}

/** Sends a problem+json response; `Retry-After` mirrors `retryAfterSeconds`. */
export function sendProblem(reply: FastifyReply, problemError: ProblemError): FastifyReply {
  const body = problemError.toProblem();
  if (body.retryAfterSeconds !== undefined) void reply.header("retry-after", String(body.retryAfterSeconds));
  return reply.code(problemError.status).type("application/problem+json").send(body);
}

/** Past this much unread body, a 413 is sent without waiting for the rest. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
/** The longest a 413 waits for the rest of a body that is still arriving. */
const DRAIN_WAIT_MS = 1_000;

/**
 * fastify error handler: every error leaves as problem+json; 5xx are logged, except 503s (busy,
 * shutting down, Redis away: expected, retried by clients, counted in the metrics; an outage is
 * logged once by the outage log, not once per refused request).
 */
export async function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // An empty id or name (`GET /v1/jobs/`, `POST /v1/functions//call`) names no resource: 404
  // not_found as for any unknown route (docs/PROTOCOL.md), not a schema error about the segment.
  // Decided here, where the params schema has already refused it, so other requests pay nothing.
  if ((error as { validationContext?: string }).validationContext === "params" && Object.values(request.params ?? {}).some((value) => value === "")) {
    return notFoundHandler(request, reply);
  }
  const problemError = toProblemError(error);
  if (problemError.status >= 500 && problemError.status !== 503) request.log.error({ err: error }, "request failed");
  if (problemError.code === "payload_too_large") {
    // Read and drop what arrives, and answer once the client has sent it all, or after at most
    // DRAIN_WAIT_MS (a client that announced a huge body may never send it). Answering first and
    // closing made a slow sender (a loaded machine) write into a closed socket: EPIPE, not the 413.
    void reply.header("connection", "close");
    await Promise.race([drainRequest(request.raw, DRAIN_LIMIT_BYTES), delay(DRAIN_WAIT_MS, undefined, { ref: false })]);
  }
  return sendProblem(reply, problemError);
}

/** Unknown route: 405 with `Allow` when the path exists for other methods, else 404. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const pathname = request.url.split("?")[0] ?? request.url;
  const found = matchRoute(request.method, pathname);
  const allowed = found.kind === "wrong-method" ? found.allowed : [];
  if (allowed.length > 0) {
    void reply.header("allow", allowed.join(", "));
    return sendProblem(reply, new ProblemError("method_not_allowed", `${request.method} is not allowed on ${pathname}; use ${allowed.join(" or ")}.`));
  }
  return sendProblem(reply, new ProblemError("not_found", `No route ${request.method} ${pathname}.`));
}
