import { PolybridgeError } from "./PolybridgeError.js";
import type { ErrorFactory } from "./runtime/ApiError.js";

/**
 * The runtime's errors as `PolybridgeError`s: a problem+json answer keeps its server `code`, an
 * error answer without one is `unexpected_response`, and client-side failures get the client codes.
 */
export const polybridgeErrors: ErrorFactory = {
  http(what, status, body, retryAfterMs) {
    const init = { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    const err = PolybridgeError.from(body, init);
    return err.code === "unknown" ? new PolybridgeError("unexpected_response", `${what} answered HTTP ${status}`, init) : err;
  },
  thrown: (e) => PolybridgeError.from(e),
  aborted: (cause) => new PolybridgeError("aborted", "The request was aborted", { cause }),
  timeout: (timeoutMs, cause) => new PolybridgeError("timeout", `Gave up after ${timeoutMs} ms`, cause === undefined ? {} : { cause }),
  invalid: (code, report, status) => new PolybridgeError(code, report, status === undefined ? {} : { status }),
};
