/**
 * A job's stop: aborted on cancel, timeout, or by its first failing chunk. Its `AbortSignal` is
 * made only when something asks for it (a chunk handed to an executor, a function reading
 * `context.signal`): an AbortController with its signal costs ≈ 2–3 µs, a measurable share of a
 * small job computed on the main thread, which never needs one.
 *
 * @example
 * const stop = new JobStop();
 * const forget = stop.onAbort(() => console.log("stopped"));
 * stop.abort(new Error("cancelled")); // logs "stopped"; stop.signal.aborted === true
 */
export class JobStop {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #onAbort: (() => void) | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  /** The signal chunks and functions get, made on first use (already aborted if the stop was). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Stops the job (the first reason wins); the signal, if made, fires. */
  abort(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const callback = this.#onAbort;
    this.#onAbort = undefined;
    callback?.();
  }

  /** Calls `callback` once when the stop is aborted (one callback at a time: the chunk runner's); returns its removal. */
  onAbort(callback: () => void): () => void {
    if (this.#onAbort) throw new Error("JobStop has an onAbort callback already");
    this.#onAbort = callback;
    return () => {
      if (this.#onAbort === callback) this.#onAbort = undefined;
    };
  }
}
