/** Time as a job engine sees it: injected, so the msw mocks and tests can bring their own. */
export interface EngineClock {
  /** Milliseconds since the epoch (`createdAt`, `finishedAt`, TTLs). */
  now(): number;
  /** Runs `fn` after `ms`; the handle goes to `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Lets other work run (timers, I/O) between chunks computed on this thread. */
  yield(): Promise<void>;
}

type Handle = ReturnType<typeof setTimeout>;

/**
 * The global timers. Node's handles are unref'd, so an idle engine never keeps a process alive;
 * `yield` is a zero timeout (the server passes `setImmediate`, which is cheaper).
 *
 * @example
 * const engine = new JobEngine({ executor, registry, clock: systemClock });
 */
export const systemClock: EngineClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms) as Handle & { unref?: () => void };
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as Handle),
  yield: () => new Promise((resolve) => setTimeout(resolve, 0)),
};

/** Resolves after `ms` on `clock`, or at once when `signal` fires. */
export function pause(clock: EngineClock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clock.clearTimeout(handle);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const handle = clock.setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
