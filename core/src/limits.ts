/**
 * The protocol's default limits (docs/PROTOCOL.md, "Limits every implementation enforces"), in
 * one place for the server, the mocks and the tools.
 *
 * @example
 * if (items.length > defaultLimits.maxItems) throw new ProblemError("too_many_items");
 */
export const defaultLimits = {
  /** Largest request body: 16 MiB. */
  bodyLimitBytes: 16 * 1024 * 1024,
  /** Deepest JSON nesting of a body. */
  maxDepth: 64,
  /** Most items of an `items` input. */
  maxItems: 1_000_000,
  /** Most values of a `range` input. */
  maxRangeItems: 100_000_000,
  /** `timeoutMs` of a job that sets none: 5 minutes. */
  jobTimeoutMs: 300_000,
  /** Bound of a sync call that sets no `timeoutMs`: 60 s. */
  callTimeoutMs: 60_000,
  /** Cap of `Prefer: wait=N`, in seconds. */
  maxWaitSeconds: 60,
} as const;
