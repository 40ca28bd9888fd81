import { fetchTransport } from "../fetchTransport.js";
import { retryPolicy, type RetryOptions, type RetryPolicy } from "../retryPolicy.js";
import type { Transport } from "../Transport.js";
import { apiErrors, type ErrorFactory } from "./ApiError.js";
import type { SchemaTable } from "./checkAnswer.js";
import type { OperationSpec, SecurityScheme } from "./OperationSpec.js";

/** A credential: the value itself, or a function asked before every attempt (tokens may rotate). */
export type Credential = string | (() => string | Promise<string>);

/** What an `authorize` hook may change before a request is sent. */
export interface AuthRequest {
  readonly operation: OperationSpec;
  /** Lower-case header names. */
  readonly headers: Record<string, string>;
  /** Extra query parameters (e.g. an API key in the query). */
  readonly query: Array<[string, string]>;
}

/** Opt-in zod validation with the generated `schemas.ts`. */
export interface ValidationOptions {
  /** `import * as schemas from "./gen/schemas.js"`, or a loader (`() => import("./gen/schemas.js")`) to keep zod in its own chunk. */
  schemas: SchemaTable | (() => Promise<SchemaTable>);
  /** Check request bodies before sending: a mismatch throws `request_invalid` and nothing is sent. Default true. */
  requests?: boolean;
  /** `"strict"` (default) throws `response_invalid` on drift in a success answer; `"warn"` reports it; `"off"`. */
  responses?: "strict" | "warn" | "off";
  /** Where warnings go. Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Options of {@link createApiClient}. */
export interface ApiClientOptions<S extends string = string> {
  /** The server, e.g. `https://petstore.example/v3` (a path prefix is kept). */
  baseUrl: string;
  /** Use this `fetch` instead of the default transport (undici in Node, fetch in browsers). */
  fetch?: typeof globalThis.fetch;
  /** Full control over sending (tests, custom agents). Wins over `fetch`. */
  transport?: Transport;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Give up on a call after this long, retries included. Default 30,000 ms; 0 for none. */
  timeoutMs?: number;
  /** Retries for safe requests (GET, HEAD, OPTIONS, or any request carrying an `Idempotency-Key`); `false` disables them. */
  retry?: RetryOptions | false;
  /**
   * Credentials by security scheme name (the spec's `securitySchemes`): a bearer token for
   * `http`/`bearer` (and `oauth2`/`openIdConnect`), `user:password` for `http`/`basic`, the key
   * for `apiKey` (sent in the header, query or cookie the spec names). Each operation gets the
   * first of its security alternatives whose schemes all have credentials.
   */
  auth?: Partial<Record<S, Credential>>;
  /** The spec's `securitySchemes` (the generated `securitySchemes`); required for `auth`. */
  securitySchemes?: Readonly<Record<S, SecurityScheme>>;
  /** A hook run before every attempt, after `auth`: add or change headers and query parameters. */
  authorize?: (request: AuthRequest) => void | Promise<void>;
  /** Opt-in zod validation of requests and responses. */
  validate?: ValidationOptions;
  /** How failures become errors. Default: `ApiError`s. */
  errors?: ErrorFactory;
}

/** A configured client: pass it to the generated operation functions. `close()` releases sockets. */
export interface ApiClient {
  readonly origin: string;
  readonly basePath: string;
  readonly transport: Transport;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number | undefined;
  readonly retry: RetryPolicy;
  readonly auth: Readonly<Record<string, Credential | undefined>>;
  readonly securitySchemes: Readonly<Record<string, SecurityScheme>>;
  readonly authorize: ((request: AuthRequest) => void | Promise<void>) | undefined;
  readonly validate: ValidationOptions | undefined;
  readonly errors: ErrorFactory;
  close(): Promise<void>;
}

/**
 * Builds an {@link ApiClient}; `defaultTransport` is what the entry point prefers (undici in
 * Node, fetch in browsers). Use `createApiClient` from `@polybridge/sdk/runtime` (or the
 * generated `createApi`) rather than this.
 */
export function buildApiClient<S extends string>(options: ApiClientOptions<S>, defaultTransport: (baseUrl: string) => Transport): ApiClient {
  const url = new URL(options.baseUrl);
  const transport = options.transport ?? (options.fetch ? fetchTransport(options.fetch) : defaultTransport(options.baseUrl));
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ""),
    transport,
    headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    timeoutMs: timeoutMs > 0 ? timeoutMs : undefined,
    retry: retryPolicy(options.retry),
    auth: (options.auth ?? {}) as Record<string, Credential | undefined>,
    securitySchemes: options.securitySchemes ?? {},
    authorize: options.authorize,
    validate: options.validate,
    errors: options.errors ?? apiErrors,
    close: () => transport.close(),
  };
}
