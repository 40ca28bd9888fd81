/**
 * The response headers the SDK reads, and so could get wrong; SDK mode checks expectations on
 * these only. `content-type` chooses JSON decoding, is what strict validation checks against the
 * spec, and decides SSE versus polling; `retry-after` becomes `PolybridgeError.retryAfterMs` and
 * paces polling; `idempotent-replayed` becomes `JobHandle.replayed`. The SDK ignores every other
 * header (`Location`, `Preference-Applied`, …), so a case that expects one checks the server
 * alone and is left to HTTP mode.
 *
 * @example
 * sdkReadHeaders.includes("location"); // false: such a case is skipped in SDK mode
 */
export const sdkReadHeaders: readonly string[] = ["content-type", "retry-after", "idempotent-replayed"];
