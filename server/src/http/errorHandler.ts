import { matchRoute } from "@polybridge/spec";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ProblemError } from "../ProblemError.js";
import { drainRequest } from "./drainRequest.js";

interface AjvLikeError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** JSON Pointer of the offending field; for a missing or extra property, the property itself. */
function fieldPath(error: AjvLikeError, context: string | undefined): string {
  let path = error.instancePath;
  const prop = error.params.missingProperty ?? error.params.additionalProperty;
  if (typeof prop === "string") path += `/${prop}`;
  return context && context !== "body" ? `${context}:${path || "/"}` : path;
}

function fieldMessage(error: AjvLikeError): string {
  if (error.keyword === "additionalProperties") return "is not allowed";
  if (error.keyword === "required") return "is required";
  if (error.keyword === "enum") return `must be one of ${JSON.stringify(error.params.allowedValues)}`;
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

/** fastify error handler: every error leaves as problem+json; 5xx are logged. */
export async function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const problemError = toProblemError(error);
  if (problemError.status >= 500) request.log.error({ err: error }, "request failed");
  if (problemError.code === "payload_too_large") {
    // Answer at once (a client that announced a huge body may never send it), close the
    // connection afterwards, and keep reading what does arrive so a client still sending gets
    // the 413 rather than a broken pipe.
    void reply.header("connection", "close");
    void drainRequest(request.raw, DRAIN_LIMIT_BYTES);
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
