/** One Server-Sent Event of a job. */
export interface LoggedEvent {
  id: number;
  event: "status" | "progress" | "result" | "error";
  /** The event's data, already JSON (serialized once, replayed to every client as is). */
  data: string;
}

type Listener = (event: LoggedEvent | null) => void;

/** An event whose text is made when first read, then kept. */
class LazyEvent implements LoggedEvent {
  #data: string | (() => string);

  constructor(
    readonly id: number,
    readonly event: LoggedEvent["event"],
    data: () => string,
  ) {
    this.#data = data;
  }

  get read(): boolean {
    return typeof this.#data === "string";
  }

  get data(): string {
    if (typeof this.#data !== "string") this.#data = this.#data();
    return this.#data;
  }
}

/**
 * One event as `text/event-stream` text (the server's and the mocks' framing).
 *
 * @example
 * sseFrame({ id: 3, event: "progress", data: "{}" }); // "id: 3\nevent: progress\ndata: {}\n\n"
 */
export function sseFrame(event: LoggedEvent): string {
  return `id: ${event.id}\nevent: ${event.event}\ndata: ${event.data}\n\n`;
}

/**
 * A job's replayable event log. Consecutive progress events are compacted to the latest one
 * (ids keep increasing), so a long job's log stays small while live listeners see every event.
 * `null` tells listeners the log is closed (the job reached a terminal state).
 */
export class EventLog {
  #events: LoggedEvent[] = [];
  #nextId = 1;
  #closed = false;
  /** Made for the first subscriber: most jobs have none. */
  #listeners: Set<Listener> | undefined;

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Logs an event. `data` may be a function giving the text when a listener or a replay first
   * reads it: a big result is then not kept twice (once in pieces, once joined), and the events of
   * a job nobody watches are never serialized. It is called at most once, unless it gives a
   * `result` (kept as pieces, joined again for each reader).
   */
  append(event: LoggedEvent["event"], data: string | (() => string)): void {
    if (this.#closed) return;
    const id = this.#nextId++;
    const entry: LoggedEvent = typeof data === "string" ? { id, event, data } : event === "result" ? { id, event, get data() { return data(); } } : new LazyEvent(id, event, data);
    const last = this.#events.at(-1);
    if (event === "progress" && last?.event === "progress") this.#events[this.#events.length - 1] = entry;
    else this.#events.push(entry);
    if (this.#listeners) for (const listener of this.#listeners) listener(entry);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#listeners) for (const listener of this.#listeners) listener(null);
    this.#listeners = undefined;
  }

  /**
   * Characters of logged event data, `result` events left out (their text is the job's stored
   * result); an event not serialized yet counts as `unreadChars` (it is not serialized for this).
   */
  textLength(unreadChars = 0): number {
    let chars = 0;
    for (const e of this.#events) {
      if (e.event !== "result") chars += (e instanceof LazyEvent && !e.read ? unreadChars : e.data.length) + 16;
    }
    return chars;
  }

  /** Logged events with an id greater than `lastId`. */
  since(lastId: number): LoggedEvent[] {
    return this.#events.filter((e) => e.id > lastId);
  }

  subscribe(listener: Listener): () => void {
    const listeners = (this.#listeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }
}
