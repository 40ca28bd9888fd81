import { parseRetryAfter, retryDelayMs, retryPolicy, type RetryOptions } from "../retryPolicy.js";
import type { TransportRequest, TransportResponse } from "../Transport.js";
import type { ApiClient } from "./ApiClient.js";
import type { RetryableError } from "./ApiError.js";
import { applyAuth } from "./applyAuth.js";
import { checkRequestBody, checkResponse, type SchemaTable } from "./checkAnswer.js";
import { Deadline, sleep } from "./Deadline.js";
import type { OperationSpec, RawArgs } from "./OperationSpec.js";

/** Per-call options, accepted by every generated operation function. */
export interface CallOptions {
  /** Abort the call (and its retries). */
  signal?: AbortSignal;
  /** Give up after this long, retries and backoff included; overrides the client's. */
  timeoutMs?: number;
  /** Override the client's retry settings for this call; `false` for a single attempt. */
  retry?: RetryOptions | false;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Called with the success answer's status and headers before its body is returned. */
  onResponse?: (response: { status: number; header(name: string): string | null }) => void;
}

/** A decoded answer. */
export interface Answer<T> {
  data: T;
  status: number;
  header(name: string): string | null;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Sends one operation and resolves with its decoded body (JSON when the answer says so, else
 * text); rejects with the client's error type (`ApiError` by default) for anything else. What
 * every generated operation function calls.
 *
 * @example
 * const pet = await callOperation<Pet>(api, operations.findPetById, "findPetById", { path: { id: 1 } });
 */
export async function callOperation<T>(client: ApiClient, op: OperationSpec, name: string, args: RawArgs | undefined, options?: CallOptions): Promise<T> {
  return (await sendOperation<T>(client, op, name, args ?? {}, options)).data;
}

/**
 * Sends one operation with retries (only when safe: GET/HEAD/OPTIONS, or a request carrying an
 * `Idempotency-Key`, whose retries reuse it), the call's deadline and signal, auth and opt-in
 * validation; resolves with the answer (data, status, headers).
 */
export async function sendOperation<T>(client: ApiClient, op: OperationSpec, name: string, args: RawArgs, options: CallOptions = {}): Promise<Answer<T>> {
  const schemas = client.validate ? await loadSchemas(client) : undefined;
  if (schemas && client.validate?.requests !== false) {
    const report = checkRequestBody(op, name, schemas, args.body);
    if (report) throw client.errors.invalid("request_invalid", report, undefined);
  }
  const policy = options.retry === undefined ? client.retry : retryPolicy(options.retry);
  const deadline = new Deadline(options.signal, options.timeoutMs ?? client.timeoutMs, client.errors);
  const body = encodeBody(op, args.body);
  for (let attempt = 1; ; attempt++) {
    const gone = deadline.error();
    if (gone) throw gone;
    let failure: RetryableError;
    let safe = SAFE_METHODS.has(op.method);
    try {
      // Per attempt, so credential functions are asked again before a retry (tokens may rotate).
      const pending = buildRequest(client, op, args, options.headers, acceptOf(op));
      const request = pending instanceof Promise ? await pending : pending;
      safe ||= request.headers["idempotency-key"] !== undefined;
      request.signal = options.signal;
      request.timeoutMs = deadline.remainingMs();
      if (body !== undefined) request.body = body;
      const res = await client.transport.send(request);
      if (res.status >= 200 && res.status < 300) {
        const answer = await decode<T>(client, op, name, schemas, res);
        options.onResponse?.(answer);
        return answer;
      }
      failure = await failed(client, op, name, schemas, res);
    } catch (e) {
      failure = deadline.error(e) ?? client.errors.thrown(e);
    }
    const delay = safe && failure.retryable && attempt < policy.attempts ? retryDelayMs(policy, attempt, failure.retryAfterMs) : undefined;
    if (delay === undefined || delay > (deadline.remainingMs() ?? Infinity)) throw failure;
    await sleep(delay, deadline);
  }
}

/**
 * The request for one attempt (no body, signal or timeout yet): URL from the path template and
 * query, the client's and the call's headers, the operation's header parameters, credentials.
 */
export function buildRequest(client: ApiClient, op: OperationSpec, args: RawArgs, extraHeaders: Record<string, string> | undefined, accept: string): TransportRequest | Promise<TransportRequest> {
  const headers: Record<string, string> = { accept, ...client.headers };
  if (op.body && args.body !== undefined) headers["content-type"] = op.body.contentType;
  if (args.headers) for (const [k, v] of Object.entries(args.headers)) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  if (extraHeaders) for (const [k, v] of Object.entries(extraHeaders)) headers[k.toLowerCase()] = v;
  const query: Array<[string, string]> = [];
  const finish = (): TransportRequest => {
    const path = pathOf(client, op, args, query);
    return { method: op.method, url: client.origin + path, path, headers };
  };
  const pending = applyAuth(client, op, headers, query);
  return pending instanceof Promise ? pending.then(finish) : finish();
}

/** The last path built per client and operation (one entry per operation, so bounded). */
const lastPaths = new WeakMap<ApiClient, Map<OperationSpec, { value: string; path: string }>>();

/** The URL path (base path included) and query string. Query objects are sent `form`-exploded (the spec's default style). */
function pathOf(client: ApiClient, op: OperationSpec, args: RawArgs, extra: ReadonlyArray<[string, string]>): string {
  let path = op.path;
  // One path parameter and no query (a call, a job's status): the same as last time is common.
  const only = op.pathParams.length === 1 && args.query === undefined && extra.length === 0 ? op.pathParams[0] : undefined;
  const single = only === undefined ? undefined : args.path?.[only.name];
  if (only !== undefined && typeof single === "string" && single !== "") {
    let paths = lastPaths.get(client);
    if (paths === undefined) lastPaths.set(client, (paths = new Map()));
    const last = paths.get(op);
    if (last?.value === single) return last.path;
    const built = client.basePath + path.replace(`{${only.name}}`, encodeURIComponent(single));
    paths.set(op, { value: single, path: built });
    return built;
  }
  for (const p of op.pathParams) {
    const value = args.path?.[p.name];
    if (value === undefined || value === null || value === "") throw new TypeError(`${op.method} ${op.path}: missing path parameter '${p.name}'`);
    path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
  }
  let query = "";
  const add = (key: string, value: unknown): void => {
    query += `${query ? "&" : "?"}${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`;
  };
  for (const [key, value] of Object.entries(args.query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) add(key, v);
    else if (typeof value === "object") for (const [k, v] of Object.entries(value)) add(k, v);
    else add(key, value);
  }
  for (const [key, value] of extra) add(key, value);
  return client.basePath + path + query;
}

/** The success media types the operation declares, else JSON. */
/** Accept headers by operation: an operation's descriptor never changes, and this ran on every call (≈ 2 µs). */
const accepts = new WeakMap<OperationSpec, string>();

function acceptOf(op: OperationSpec): string {
  let accept = accepts.get(op);
  if (accept === undefined) {
    const types = new Set<string>();
    for (const [status, content] of Object.entries(op.responses)) if (status.startsWith("2")) for (const type of Object.keys(content)) types.add(type);
    accept = types.size === 0 ? "application/json" : [...types].join(", ");
    accepts.set(op, accept);
  }
  return accept;
}

function encodeBody(op: OperationSpec, body: unknown): string | undefined {
  if (body === undefined) return undefined;
  const type = op.body?.contentType ?? "application/json";
  if (/^application\/x-www-form-urlencoded\b/i.test(type) && typeof body === "object" && body !== null) {
    return new URLSearchParams(Object.entries(body).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)])).toString();
  }
  if (typeof body === "string" && !JSON_TYPE.test(type)) return body;
  return JSON.stringify(body);
}

async function loadSchemas(client: ApiClient): Promise<SchemaTable | undefined> {
  const source = client.validate?.schemas;
  return typeof source === "function" ? await source() : source;
}

async function decode<T>(client: ApiClient, op: OperationSpec, name: string, schemas: SchemaTable | undefined, res: TransportResponse): Promise<Answer<T>> {
  const type = res.header("content-type");
  let data: unknown;
  if (res.status === 204 || res.status === 205 || op.method === "HEAD") await res.discard();
  else data = type !== null && JSON_TYPE.test(type) ? await res.json() : await res.text();
  const mode = client.validate?.responses ?? "strict";
  if (schemas && mode !== "off") {
    const report = checkResponse(op, name, schemas, res.status, type, data);
    if (report && mode === "strict") throw client.errors.invalid("response_invalid", report, res.status);
    if (report) warn(client, report);
  }
  return { data: data as T, status: res.status, header: (h) => res.header(h) };
}

async function failed(client: ApiClient, op: OperationSpec, name: string, schemas: SchemaTable | undefined, res: TransportResponse): Promise<RetryableError> {
  const type = res.header("content-type");
  let body: unknown;
  if (type !== null && JSON_TYPE.test(type)) body = await res.json().catch(() => undefined);
  else if (type !== null && /^text\//i.test(type)) body = await res.text().catch(() => undefined);
  else await res.discard();
  if (schemas && client.validate?.responses !== "off") {
    // Drift in an error body is reported but never hides the server's error.
    const report = checkResponse(op, name, schemas, res.status, type, body);
    if (report) warn(client, report);
  }
  return client.errors.http(`${op.method} ${op.path}`, res.status, body, parseRetryAfter(res.header("retry-after")));
}

function warn(client: ApiClient, message: string): void {
  (client.validate?.onWarning ?? ((m: string) => console.warn(m)))(message);
}
