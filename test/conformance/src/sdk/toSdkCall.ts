import { operations, type OperationId } from "@polybridge/sdk";
import { matchOperation } from "@polybridge/spec";
import type { WireRequest } from "../HttpSession.js";
import { NotExpressible } from "./NotExpressible.js";

/** A wire request restated as the arguments of one typed SDK operation. */
export interface SdkCall {
  operationId: OperationId;
  /** Path parameters by name, decoded (the SDK encodes them again). */
  path: Record<string, string>;
  /** Query parameters by name, decoded; a repeated one is an array. */
  query: Record<string, string | string[]>;
  /** Header parameters by lower-cased name (`prefer`, `idempotency-key`, `last-event-id`). */
  headers: Record<string, string>;
  /** The JSON body; absent when the request has none. */
  body?: unknown;
}

/**
 * Maps a wire request onto the SDK operation that sends it: the operation is found from the
 * spec's path templates (`matchOperation`), path and query values are decoded, and every header
 * must be a parameter of that operation. Throws {@link NotExpressible} with the reason when no
 * typed call can send this request: a raw or padded body, a route or method outside the spec,
 * broken percent-encoding, an undeclared query parameter or header, a media type other than the
 * one the SDK sends, or a body the operation does not take (or lacks one it requires).
 *
 * @example
 * toSdkCall({ method: "GET", path: "/v1/jobs?limit=2" });
 * // → { operationId: "listJobs", path: {}, query: { limit: "2" }, headers: {} }
 */
export function toSdkCall(req: WireRequest): SdkCall {
  if (req.bodyRaw !== undefined) throw new NotExpressible("sends a raw body (bodyRaw); the SDK only sends JSON it serialises itself");
  if (req.bodyBytes !== undefined) throw new NotExpressible(`sends a padded body of ${req.bodyBytes} bytes (bodyBytes); the SDK only sends JSON it serialises itself`);
  const found = matchOperation(req.method, req.path);
  if (!found || !(found.operationId in operations)) throw new NotExpressible(`${req.method} ${req.path.split("?")[0] ?? ""} is not an operation of the spec`);
  const operationId = found.operationId as OperationId;
  const op = operations[operationId];

  const q = req.path.indexOf("?");
  const pathname = q < 0 ? req.path : req.path.slice(0, q);
  const search = q < 0 ? "" : req.path.slice(q + 1);
  const call: SdkCall = { operationId, path: pathParams(op.path, pathname), query: queryParams(operationId, op.queryParams, search), headers: {} };

  for (const [name, value] of Object.entries(req.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === "content-type") {
      // The SDK always labels its JSON with the operation's declared media type, nothing else.
      if (op.body === null) throw new NotExpressible(`sends Content-Type to ${operationId}, which takes no body`);
      if (String(value).trim().toLowerCase() !== op.body.contentType) {
        throw new NotExpressible(`sends Content-Type '${String(value)}'; the SDK always sends ${op.body.contentType}`);
      }
      continue;
    }
    const declared = (op.headerParams as readonly { name: string }[]).some((p) => p.name.toLowerCase() === lower);
    if (!declared) throw new NotExpressible(`sends header '${name}', which is not a parameter of ${operationId}`);
    call.headers[lower] = String(value);
  }

  if (req.body !== undefined) {
    if (op.body === null) throw new NotExpressible(`sends a body to ${operationId}, which takes none`);
    call.body = req.body;
  } else if (op.body?.required) {
    throw new NotExpressible(`sends no body to ${operationId}, which requires one`);
  }
  return call;
}

function pathParams(template: string, pathname: string): Record<string, string> {
  const names: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  const match = new RegExp(`^${source}$`).exec(pathname);
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    const raw = match?.[i + 1];
    if (raw === undefined) throw new NotExpressible(`${pathname} does not fill {${name}} of ${template}`);
    out[name] = decode(raw, `path segment '${raw}'`);
  });
  return out;
}

function queryParams(operationId: OperationId, declared: readonly { name: string }[], search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of search.split("&").filter(Boolean)) {
    const eq = part.indexOf("=");
    // Servers read `+` in a query as a space; the SDK would send a space as %20, which means the same.
    const name = decode((eq < 0 ? part : part.slice(0, eq)).replaceAll("+", " "), `query name '${part}'`);
    const value = eq < 0 ? "" : decode(part.slice(eq + 1).replaceAll("+", " "), `query value '${part}'`);
    if (!declared.some((p) => p.name === name)) throw new NotExpressible(`sends query parameter '${name}', which is not a parameter of ${operationId}`);
    const previous = out[name];
    out[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return out;
}

function decode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    // The SDK percent-encodes valid strings; it cannot produce broken escapes.
    throw new NotExpressible(`${what} is not valid percent-encoding, which the SDK never sends`);
  }
}
