/** What went wrong, for an {@link ApiError}. */
export type ApiErrorCode =
  /** The server answered with a status the operation does not treat as success. */
  | "http"
  /** The call's `timeoutMs` ran out (retries and backoff included). */
  | "timeout"
  /** The caller's `AbortSignal` fired. */
  | "aborted"
  /** No HTTP answer: connection refused or reset, DNS failure, CORS… */
  | "network"
  /** Validation is on and the answer does not match the spec. */
  | "response_invalid"
  /** Request validation is on and the arguments do not match the spec (nothing was sent). */
  | "request_invalid"
  /** Anything else thrown while sending. */
  | "unknown";

/** One declared error answer of an operation: its status and decoded body. */
export interface ErrorResponse {
  status: number;
  body: unknown;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_CLOSED"]);

/**
 * The error every generated client function throws. For `code: "http"`, `response` is the
 * server's answer typed by the operation's declared error responses (`FindPetByIdError` from
 * `generate --client`): switch on `response.status` to narrow `response.body`.
 *
 * @example
 * try {
 *   await findPetById(api, { path: { id: 7 } });
 * } catch (e) {
 *   if (isApiError<FindPetByIdError>(e) && e.response?.status === 404) console.log(e.response.body.message);
 *   else throw e;
 * }
 */
export class ApiError<R extends ErrorResponse = ErrorResponse> extends Error {
  override readonly name = "ApiError";
  /** The HTTP status, for `http` and `response_invalid`. */
  readonly status: number | undefined;
  /** The error answer (`http` only), typed by the operation's error responses. */
  readonly response: R | undefined;
  /** True when the same request may succeed later: 429, 502, 503, 504, network errors. */
  readonly retryable: boolean;
  /** The server's `Retry-After`, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    init: { status?: number; response?: R; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.response = init.response;
    this.retryAfterMs = init.retryAfterMs;
    this.retryable = code === "network" || (init.status !== undefined && RETRYABLE_STATUS.has(init.status));
  }
}

/**
 * Narrows `e` to an `ApiError` whose `response` has the type `R` (an operation's `…Error` type).
 *
 * @example
 * if (isApiError<AddPetError>(e) && e.response) console.log(e.response.status, e.response.body);
 */
export function isApiError<R extends ErrorResponse = ErrorResponse>(e: unknown): e is ApiError<R> {
  return e instanceof ApiError;
}

/** How the runtime turns failures into errors; the SDK supplies one that makes `PolybridgeError`s. */
export interface ErrorFactory {
  /** A non-success answer (`body` decoded when it was JSON). */
  http(what: string, status: number, body: unknown, retryAfterMs: number | undefined): RetryableError;
  /** Anything thrown while sending (network errors, transport timeouts, aborts). */
  thrown(e: unknown): RetryableError;
  aborted(cause: unknown): RetryableError;
  timeout(timeoutMs: number | undefined, cause: unknown): RetryableError;
  invalid(code: "response_invalid" | "request_invalid", report: string, status: number | undefined): RetryableError;
}

/** What the retry loop needs to know about a failure. */
export interface RetryableError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
}

/** The default {@link ErrorFactory}: `ApiError`s. */
export const apiErrors: ErrorFactory = {
  http: (what, status, body, retryAfterMs) =>
    new ApiError("http", `${what} answered HTTP ${status}`, { status, response: { status, body }, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }),
  thrown(e) {
    if (e instanceof ApiError) return e;
    const name = field(e, "name");
    const code = field(e, "code") ?? field(asObject(e)?.cause, "code");
    if (name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") return new ApiError("timeout", "The request timed out", { cause: e });
    if (name === "AbortError") return new ApiError("aborted", "The request was aborted", { cause: e });
    if ((code !== undefined && NETWORK_CODES.has(code)) || (e instanceof TypeError && /fetch|network|load failed/i.test(e.message))) {
      return new ApiError("network", `Network error: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return new ApiError("unknown", e instanceof Error ? e.message : String(e), { cause: e });
  },
  aborted: (cause) => new ApiError("aborted", "The request was aborted", { cause }),
  timeout: (timeoutMs, cause) => new ApiError("timeout", `Gave up after ${timeoutMs} ms`, cause === undefined ? {} : { cause }),
  invalid: (code, report, status) => new ApiError(code, report, status === undefined ? {} : { status }),
};

function asObject(e: unknown): Record<string, unknown> | undefined {
  return typeof e === "object" && e !== null ? (e as Record<string, unknown>) : undefined;
}

function field(e: unknown, key: string): string | undefined {
  const v = asObject(e)?.[key];
  return typeof v === "string" ? v : undefined;
}
