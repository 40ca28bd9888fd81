import { operations, type OperationId } from "./gen/operations.js";
import { PolybridgeError } from "./PolybridgeError.js";
import { polybridgeErrors } from "./polybridgeErrors.js";
import { parseRetryAfter, type RetryPolicy } from "./retryPolicy.js";
import { buildApiClient, type ApiClient } from "./runtime/ApiClient.js";
import type { RawArgs } from "./runtime/OperationSpec.js";
import { buildRequest, sendOperation, type Answer, type CallOptions } from "./runtime/sendOperation.js";
import type { Transport, TransportResponse } from "./Transport.js";

export type { Answer, CallOptions } from "./runtime/sendOperation.js";
export type { RawArgs } from "./runtime/OperationSpec.js";

/** How responses are checked against the contract. */
export type ValidateMode = "off" | "warn" | "strict";

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

/**
 * A client's state: the runtime client (`api`) that the generated operation functions
 * (`gen/client.ts`) send through — with `PolybridgeError`s, the bearer token on every request
 * and validation per the `validate` mode — plus what the job helpers need beyond one operation
 * (event streams, drift reports).
 */
export class ClientCore {
  readonly api: ApiClient;

  constructor(readonly settings: CoreSettings) {
    const token = settings.token;
    this.api = buildApiClient(
      {
        baseUrl: settings.baseUrl,
        transport: settings.transport,
        headers: settings.headers,
        ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
        retry: settings.retry,
        // The token goes on every request, open ones included (it wins over a `headers` option);
        // a token function is called once per attempt, retries and stream reconnects included.
        ...(token ? { authorize: typeof token === "function" ? bearerFrom(token) : ({ headers }) => void (headers.authorization = `Bearer ${token}`) } : {}),
        ...(settings.validate === "off"
          ? {}
          : { validate: { schemas: async () => (await loadValidator()).schemas, requests: false, responses: settings.validate, onWarning: settings.onWarning } }),
        errors: polybridgeErrors,
      },
      () => settings.transport,
    );
  }

  /** Sends any operation by id (what `client.request` does), through the same runtime as the generated functions. */
  send<T>(operationId: OperationId, args: RawArgs, options: CallOptions = {}): Promise<Answer<T>> {
    return sendOperation<T>(this.api, operations[operationId], operationId, args, options);
  }

  /** Opens a streaming answer (SSE); the caller owns the body. Not retried here. */
  async open(operationId: OperationId, args: RawArgs, signal: AbortSignal | undefined, accept: string): Promise<TransportResponse> {
    const op = operations[operationId];
    const request = await buildRequest(this.api, op, args, undefined, accept);
    if (signal?.aborted) throw new PolybridgeError("aborted", "The request was aborted", { cause: signal.reason });
    const res = await this.api.transport.send({ ...request, signal });
    if (res.status >= 200 && res.status < 300) return res;
    const type = res.header("content-type");
    const body = type !== null && /json/i.test(type) ? await res.json().catch(() => undefined) : await res.discard();
    throw polybridgeErrors.http(`${op.method} ${op.path}`, res.status, body, parseRetryAfter(res.header("retry-after")));
  }

  /** Reports contract drift per the `validate` mode: a warning, or (strict) a `response_invalid` error. */
  async checkDrift(report: string | undefined, status?: number): Promise<void> {
    if (!report) return;
    if (this.settings.validate === "strict") throw new PolybridgeError("response_invalid", report, { ...(status === undefined ? {} : { status }) });
    this.settings.onWarning(report);
  }
}

function bearerFrom(token: () => string | Promise<string>): (request: { headers: Record<string, string> }) => Promise<void> {
  return async ({ headers }) => {
    const value = await token();
    if (value) headers.authorization = `Bearer ${value}`;
  };
}
