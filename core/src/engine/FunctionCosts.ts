/** Limits of {@link FunctionCosts}' decisions. */
export interface FunctionCostLimits {
  /** Largest predicted time (ms) of a piece of work run on the main thread instead of a worker. Default 0.5. */
  inlineMaxMs: number;
  /** Measurements on workers before a function may run on the main thread at all. Default 8. */
  minSamples: number;
  /** A main-thread run longer than this (ms) is a strike. Default 5. */
  demoteAboveMs: number;
  /** Strikes that send the function back to the workers for good. Default 3 (one can be a descheduled thread or a GC pause). */
  maxStrikes: number;
  /**
   * Main-thread runs within the limit that forgive one strike. Default 1,000: a GC pause or a
   * descheduled thread now and then never adds up to a demotion over hours of load (it did within
   * a 15 s benchmark), while a function slow on one input in a few hundred still does.
   */
  forgiveAfterRuns: number;
}

interface Cost {
  /** Smoothed ms per item (or per call). */
  itemMs: number;
  samples: number;
  strikes: number;
  /** Main-thread runs within the limit since the last strike was forgiven. */
  clean: number;
  /** Once true, never run on the main thread again. */
  demoted: boolean;
}

/**
 * The next smoothed value. A sample far above the estimate counts little: on a busy machine a
 * thread descheduled mid-run measures the wait too, and one such sample must not hide how fast
 * a function is; a function that really became slower still moves the estimate within a few
 * dozen samples.
 */
function smooth(estimate: number, sample: number): number {
  const weight = sample > 4 * estimate ? 0.05 : 0.3;
  return estimate * (1 - weight) + sample * weight;
}

/**
 * What the engine has measured of each function (by a key such as `"map isPrime "` or
 * `"call isPrime"`): its time per item on the workers, smoothed. Two decisions follow from it:
 * default chunk sizes (see `defaultChunkSize`), and whether a small piece of work of a function
 * that is not `inline` may run on the main thread, where it costs no worker round trip (a worker
 * round trip costs more main-thread time than a fraction of a millisecond of compute).
 *
 * Bounded: a function runs on the main thread only after `minSamples` measurements on workers,
 * only for work predicted to take at most `inlineMaxMs`, and `maxStrikes` main-thread runs longer
 * than `demoteAboveMs` (with fewer than `forgiveAfterRuns` quick runs between them) send it back
 * to the workers for the life of the process: inputs far slower than the ones measured can block
 * the event loop that many times; one slow run alone may be a descheduled thread or a GC pause.
 *
 * @example
 * const costs = new FunctionCosts();
 * costs.measured("call isPrime", 0.002); // a worker ran it in 2 µs
 * costs.canInline("call isPrime", 1);    // true after 8 such measurements
 */
export class FunctionCosts {
  readonly #costs = new Map<string, Cost>();
  readonly #limits: FunctionCostLimits;

  constructor(limits: Partial<FunctionCostLimits> = {}) {
    this.#limits = { inlineMaxMs: 0.5, minSamples: 8, demoteAboveMs: 5, maxStrikes: 3, forgiveAfterRuns: 1_000, ...limits };
  }

  /** Smoothed ms per item of `key`, or undefined before any measurement. */
  itemMs(key: string): number | undefined {
    return this.#costs.get(key)?.itemMs;
  }

  /** One measurement on a worker: `itemMs` per item (its compute time when known). */
  measured(key: string, itemMs: number): void {
    const cost = this.#costs.get(key);
    if (!cost) this.#costs.set(key, { itemMs, samples: 1, strikes: 0, clean: 0, demoted: false });
    else {
      cost.itemMs = smooth(cost.itemMs, itemMs);
      cost.samples += 1;
    }
  }

  /** True when `items` of `key` are predicted cheap enough for the main thread. */
  canInline(key: string, items: number): boolean {
    const cost = this.#costs.get(key);
    return cost !== undefined && !cost.demoted && cost.samples >= this.#limits.minSamples && cost.itemMs * items <= this.#limits.inlineMaxMs;
  }

  /** A main-thread run of `items` took `ms`: learned from, and too long a run demotes the function. */
  ranInline(key: string, items: number, ms: number): void {
    const cost = this.#costs.get(key);
    if (!cost) return;
    if (ms > this.#limits.demoteAboveMs) {
      if (++cost.strikes >= this.#limits.maxStrikes) cost.demoted = true;
      return;
    }
    if (items > 0) cost.itemMs = smooth(cost.itemMs, ms / items);
    if (cost.strikes > 0 && ++cost.clean >= this.#limits.forgiveAfterRuns) {
      cost.strikes -= 1;
      cost.clean = 0;
    }
  }
}
