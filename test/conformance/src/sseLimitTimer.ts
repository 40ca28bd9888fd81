import type { SseLimits } from "./HttpSession.js";

/** Why reading an event stream stopped. */
export type SseStopReason = "closed" | "maxEvents" | "duration" | "timeout";

/** The abort and the reason behind it, shared by the HTTP and the SDK sessions. */
export interface SseLimitTimer {
  /** Fires on the case's own abort, on the limit's timer, or on `stop()`. */
  signal: AbortSignal;
  /** Why the stream ended; `closed` until something else stopped it. */
  readonly reason: SseStopReason;
  /** Stops reading for `reason` (e.g. `maxEvents` once enough events came). */
  stop(reason: SseStopReason): void;
  /** True once `stop` ran or the timer fired (an abort that is ours, not a failure). */
  readonly stopped: boolean;
  /** Clears the timer and lets go of the stream (call in `finally`); the reason stays. */
  dispose(): void;
}

/**
 * Starts the clock of a stream read: after `durationMs` (a case that reads for a while) the
 * reason is `duration`; after `timeoutMs` (a case that waits for the server to close) `timeout`.
 *
 * @example
 * const limit = sseLimitTimer(caseSignal, { timeoutMs: 5_000 });
 * try { await read(limit.signal); } finally { limit.dispose(); }
 */
export function sseLimitTimer(caseSignal: AbortSignal, limits: SseLimits): SseLimitTimer {
  const stopper = new AbortController();
  let reason: SseStopReason = "closed";
  const stop = (why: SseStopReason): void => {
    if (stopper.signal.aborted) return;
    reason = why;
    stopper.abort();
  };
  const timer = setTimeout(() => stop(limits.durationMs !== undefined ? "duration" : "timeout"), limits.durationMs ?? limits.timeoutMs);
  return {
    signal: AbortSignal.any([caseSignal, stopper.signal]),
    get reason() {
      return reason;
    },
    get stopped() {
      return stopper.signal.aborted;
    },
    stop,
    dispose: () => {
      clearTimeout(timer);
      stopper.abort();
    },
  };
}
