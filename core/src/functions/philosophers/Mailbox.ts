/**
 * An actor's mailbox: messages queue in order; one reader awaits them. `fail` rejects a pending
 * `receive` (and every later one), so a cancelled actor system stops wherever its actors wait.
 * Browser-safe: plain promises, no Node built-ins.
 *
 * @example
 * const box = new Mailbox<string>();
 * box.send("hello");
 * await box.receive(); // "hello"
 */
export class Mailbox<T> {
  readonly #queue: T[] = [];
  #head = 0;
  #reader: { resolve(message: T): void; reject(reason: unknown): void } | undefined;
  #failed: { reason: unknown } | undefined;

  /** Delivers a message: to the waiting reader, or to the queue. */
  send(message: T): void {
    const reader = this.#reader;
    if (reader) {
      this.#reader = undefined;
      reader.resolve(message);
    } else this.#queue.push(message);
  }

  /** The next message, waiting for one when the queue is empty. */
  receive(): Promise<T> {
    if (this.#failed) return Promise.reject(this.#failed.reason);
    const next = this.#take();
    if (next) return Promise.resolve(next.message);
    if (this.#reader) return Promise.reject(new Error("a mailbox has one reader"));
    return new Promise<T>((resolve, reject) => (this.#reader = { resolve, reject }));
  }

  /** The queued messages, without waiting (the queue is left empty). */
  drain(): T[] {
    const out: T[] = [];
    for (let next = this.#take(); next; next = this.#take()) out.push(next.message);
    return out;
  }

  /** Rejects the waiting and every later `receive` with `reason`. */
  fail(reason: unknown): void {
    this.#failed = { reason };
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.reject(reason);
  }

  #take(): { message: T } | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const message = this.#queue[this.#head++] as T;
    // Drop consumed slots now and then so a long-lived mailbox does not grow.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    return { message };
  }
}
