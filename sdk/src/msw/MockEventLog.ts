/** One Server-Sent Event of a job, as logged. */
export interface MockLoggedEvent {
  id: number;
  event: "status" | "progress" | "result" | "error";
  data: unknown;
}

type Listener = (event: MockLoggedEvent | null) => void;

/**
 * A job's replayable event log with the reference server's rules: ids 1, 2, 3, … per job,
 * consecutive progress events compacted to the latest in the log (live listeners still see each),
 * and `null` to listeners when the job is terminal.
 *
 * @example
 * const log = new MockEventLog();
 * log.append("status", job);
 * log.since(0); // [{ id: 1, event: "status", data: job }]
 */
export class MockEventLog {
  #events: MockLoggedEvent[] = [];
  #nextId = 1;
  #closed = false;
  readonly #listeners = new Set<Listener>();

  get closed(): boolean {
    return this.#closed;
  }

  append(event: MockLoggedEvent["event"], data: unknown): void {
    if (this.#closed) return;
    const entry: MockLoggedEvent = { id: this.#nextId++, event, data };
    if (event === "progress" && this.#events.at(-1)?.event === "progress") this.#events[this.#events.length - 1] = entry;
    else this.#events.push(entry);
    for (const listener of this.#listeners) listener(entry);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#listeners) listener(null);
    this.#listeners.clear();
  }

  /** Logged events with an id greater than `lastId`. */
  since(lastId: number): MockLoggedEvent[] {
    return this.#events.filter((e) => e.id > lastId);
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
