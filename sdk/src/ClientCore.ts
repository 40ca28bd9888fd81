import { operations, type OperationId } from "./gen/operations.js";
import { Deadline, sleep } from "./Deadline.js";
import { PolybridgeError } from "./PolybridgeError.js";
import { parseRetryAfter, retryDelayMs, retryPolicy, type RetryOptions, type RetryPolicy } from "./retryPolicy.js";
import type { Transport, TransportRequest, TransportResponse } from "./Transport.js";

/** How responses are checked against the contract. */
export type ValidateMode = "off" | "warn" | "strict";

/** Per-call options, accepted by every client method. */
export interface CallOptions {
  /** Abort the call (and its retries). */
  signal?: AbortSignal;
  /** Give up after this long, retries and backoff included; overrides the client's. */
  timeoutMs?: number;
  /** Override the client's retry settings for this call; `false` for a single attempt. */
  retry?: RetryOptions | false;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** Runtime arguments of an operation (typed by `OperationArgs` at the public surface). */
export interface RawArgs {
  path?: Record<string, unknown> | undefined;
  query?: Record<string, unknown> | undefined;
  headers?: Record<string, unknown> | undefined;
  body?: unknown;
}

/** A decoded answer. */
export interface Answer<T> {
  data: T;
  status: number;
  header(name: string): string | null;
}

/** Settings shared by everything a client does. */
export interface CoreSettings {
  baseUrl: string;
  transport: Transport;
  headers: Record<string, string>;
  token?: string | (() => string | Promise<string>) | undefined;
  timeoutMs?: number | undefined;
  retry: RetryPolicy;
  validate: ValidateMode;
  onWarning: (message: string) => void;
}

type Validator = typeof import("./validateResponse.js");
let validatorModule: Promise<Validator> | undefined;

/** Loads the zod-backed validator on first use only (a separate chunk for bundlers). */
export function loadValidator(): Promise<Validator> {
  validatorModule ??= import("./validateResponse.js");
  return validatorModule;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * Sends requests for a client: builds URLs from the generated operation table, decodes answers,
 * turns failures into `PolybridgeError`s, retries only what is safe, validates when asked.
 */
export class ClientCore {
  readonly origin: string;
  private readonly basePath: string;
  /** The last path built per operation: repeated calls of one function reuse it (one entry per operation, so bounded). */
  private readonly lastPath = new Map<OperationId, { value: string; path: string }>();

  constructor(readonly settings: CoreSettings) {
    const url = new URL(settings.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");
  }

  /** The URL path (base path included) and query string of an operation. */
  pathOf(operationId: OperationId, args: RawArgs): string {
    const op = operations[operationId];
    let path = op.path as string;
    // One path parameter and no query (a call, a job's status): the same as last time is common.
    const single = op.pathParams.length === 1 && args.query === undefined ? args.path?.[op.pathParams[0]!.name] : undefined;
    if (typeof single === "string" && single !== "") {
      const last = this.lastPath.get(operationId);
      if (last?.value === single) return last.path;
      const built = this.basePath + path.replace(`{${op.pathParams[0]!.name}}`, encodeURIComponent(single));
      this.lastPath.set(operationId, { value: single, path: built });
      return built;
    }
    for (const p of op.pathParams) {
      const value = args.path?.[p.name];
      if (value === undefined || value === null || value === "") throw new TypeError(`${operationId}: missing path parameter '${p.name}'`);
      path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
    }
    let query = "";
    if (args.query) {
      for (const [key, value] of Object.entries(args.query)) {
        if (value === undefined || value === null) continue;
        for (const v of Array.isArray(value) ? value : [value]) query += `${query ? "&" : "?"}${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`;
      }
    }
    return this.basePath + path + query;
  }

  /** Sends one operation; retries when `safe` (GET/HEAD or an idempotency-keyed submit). */
  async send<T>(operationId: OperationId, args: RawArgs, options: CallOptions = {}, extra: { safe?: boolean; accept?: string } = {}): Promise<Answer<T>> {
    const op = operations[operationId];
    const path = this.pathOf(operationId, args);
    const policy = options.retry === undefined ? this.settings.retry : retryPolicy(options.retry);
    const method: string = op.method;
    const safe = extra.safe ?? (method === "GET" || method === "HEAD");
    const deadline = new Deadline(options.signal, options.timeoutMs ?? this.settings.timeoutMs);
    {
      const body = args.body === undefined ? undefined : JSON.stringify(args.body);
      for (let attempt = 1; ; attempt++) {
        const gone = deadline.error();
        if (gone) throw gone;
        let failure: PolybridgeError;
        try {
          // Per attempt, so a token function is asked again before a retry (tokens may rotate).
          const pending = this.headers(args, options, extra.accept ?? "application/json", op.body?.contentType);
          const headers = pending instanceof Promise ? await pending : pending;
          const request: TransportRequest = { method: op.method, url: this.origin + path, path, headers, signal: options.signal, timeoutMs: deadline.remainingMs() };
          if (body !== undefined) request.body = body;
          const res = await this.settings.transport.send(request);
          if (res.status >= 200 && res.status < 300) return await this.decode<T>(operationId, res, extra.accept === undefined);
          failure = await this.failure(operationId, res);
        } catch (e) {
          failure = deadline.error(e) ?? PolybridgeError.from(e);
        }
        const delay = safe && failure.retryable && attempt < policy.attempts ? retryDelayMs(policy, attempt, failure.retryAfterMs) : undefined;
        if (delay === undefined || delay > (deadline.remainingMs() ?? Infinity)) throw failure;
        await sleep(delay, deadline);
      }
    }
  }

  /** Opens a streaming answer (SSE); the caller owns the body. Not retried here. */
  async open(operationId: OperationId, args: RawArgs, signal: AbortSignal | undefined, accept: string): Promise<TransportResponse> {
    const path = this.pathOf(operationId, args);
    const headers = await this.headers(args, {}, accept, undefined);
    if (signal?.aborted) throw new PolybridgeError("aborted", "The request was aborted", { cause: signal.reason });
    const res = await this.settings.transport.send({ method: operations[operationId].method, url: this.origin + path, path, headers, signal });
    if (res.status >= 200 && res.status < 300) return res;
    throw await this.failure(operationId, res);
  }

  /** Reports contract drift per the `validate` mode: a warning, or (strict) a `response_invalid` error. */
  async checkDrift(report: string | undefined, status?: number): Promise<void> {
    if (!report) return;
    if (this.settings.validate === "strict") throw new PolybridgeError("response_invalid", report, { ...(status === undefined ? {} : { status }) });
    this.settings.onWarning(report);
  }

  /**
   * Request headers, `authorization: Bearer <token>` included when the client has a token (it wins
   * over a `headers` option). Synchronous unless the token comes from a function (the hot path stays
   * await-free); the function is called once per request, retries and stream reconnects included.
   */
  private headers(args: RawArgs, options: CallOptions, accept: string, contentType: string | undefined): Record<string, string> | Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept, ...this.settings.headers };
    if (contentType && args.body !== undefined) headers["content-type"] = contentType;
    if (args.headers) for (const [k, v] of Object.entries(args.headers)) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
    if (options.headers) for (const [k, v] of Object.entries(options.headers)) headers[k.toLowerCase()] = v;
    const token = this.settings.token;
    if (typeof token !== "function") {
      if (token) headers.authorization = `Bearer ${token}`;
      return headers;
    }
    return Promise.resolve()
      .then(() => token())
      .then((value) => {
        if (value) headers.authorization = `Bearer ${value}`;
        return headers;
      });
  }

  private async decode<T>(operationId: OperationId, res: TransportResponse, json: boolean): Promise<Answer<T>> {
    const type = res.header("content-type");
    let data: unknown;
    if (res.status === 204 || res.status === 205) await res.discard();
    else data = json && type !== null && JSON_TYPE.test(type) ? await res.json() : await res.text();
    if (this.settings.validate !== "off") {
      const { validateResponse } = await loadValidator();
      await this.checkDrift(validateResponse(operationId, res.status, type, data), res.status);
    }
    return { data: data as T, status: res.status, header: (name) => res.header(name) };
  }

  private async failure(operationId: OperationId, res: TransportResponse): Promise<PolybridgeError> {
    const type = res.header("content-type");
    let body: unknown;
    if (type !== null && JSON_TYPE.test(type)) body = await res.json().catch(() => undefined);
    else await res.discard();
    const retryAfterMs = parseRetryAfter(res.header("retry-after"));
    const init = { status: res.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    if (this.settings.validate !== "off") {
      // Drift in an error body is reported but never hides the server's error.
      const { validateResponse } = await loadValidator();
      const report = validateResponse(operationId, res.status, type, body);
      if (report) this.settings.onWarning(report);
    }
    const err = PolybridgeError.from(body, init);
    return err.code === "unknown" ? new PolybridgeError("unexpected_response", `${operations[operationId].method} ${operations[operationId].path} answered HTTP ${res.status}`, init) : err;
  }
}
