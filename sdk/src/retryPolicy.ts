/** How failed requests are retried. Only safe requests are ever repeated (see `createClient`). */
export interface RetryOptions {
  /** Total attempts, the first included. Default 3. */
  attempts?: number;
  /** First backoff ceiling; doubles per attempt (full jitter). Default 100 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 2,000 ms. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown. Default 30,000 ms. */
  maxRetryAfterMs?: number;
}

/** Resolved retry settings. */
export type RetryPolicy = Required<RetryOptions>;

/** Fills in the defaults; `false` means one attempt. */
export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  const base = { attempts: 3, baseDelayMs: 100, maxDelayMs: 2_000, maxRetryAfterMs: 30_000 };
  if (options === false) return { ...base, attempts: 1 };
  return { ...base, ...options };
}

/**
 * The wait before attempt `attempt + 1`: the server's `Retry-After` when given, else
 * exponential backoff with full jitter (a random delay up to base·2^(attempt−1), capped).
 * Undefined means "do not retry" (Retry-After longer than allowed).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxRetryAfterMs ? retryAfterMs : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** Parses `Retry-After`: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
