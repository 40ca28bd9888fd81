import type { ErrorFactory, RetryableError } from "./ApiError.js";

/**
 * The budget of one logical call (all its attempts and backoff): the caller's signal plus
 * `timeoutMs` from the start. It owns no timer and no AbortController — the transport enforces
 * the remaining time per attempt (undici natively) — which keeps the per-call cost near zero.
 */
export class Deadline {
  private readonly start = Date.now();

  constructor(
    readonly signal: AbortSignal | undefined,
    readonly timeoutMs: number | undefined,
    private readonly errors: Pick<ErrorFactory, "aborted" | "timeout">,
  ) {}

  /** Milliseconds left, or undefined without a timeout. */
  remainingMs(): number | undefined {
    return this.timeoutMs === undefined || this.timeoutMs <= 0 ? undefined : this.timeoutMs - (Date.now() - this.start);
  }

  /** The error that ends the call now (aborted or out of time), or undefined while it may go on. */
  error(cause?: unknown): RetryableError | undefined {
    if (this.signal?.aborted) return this.errors.aborted(cause ?? this.signal.reason);
    const left = this.remainingMs();
    if (left !== undefined && left <= 0) return this.errors.timeout(this.timeoutMs, cause);
    return undefined;
  }
}

/** Waits `ms`, or rejects with `aborted` as soon as the deadline's signal fires. */
export function sleep(ms: number, deadline: Deadline): Promise<void> {
  const signal = deadline.signal;
  return new Promise((resolve, reject) => {
    const fail = (): void => {
      clearTimeout(timer);
      reject(deadline.error() ?? new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", fail);
      resolve();
    }, ms);
    if (signal?.aborted) fail();
    else signal?.addEventListener("abort", fail, { once: true });
  });
}
