import type { Redis } from "ioredis";

/** Channel on which a job's store announces each appended event (`status`, `progress`, ..., then `end`). */
export const jobChannel = (id: string): string => `pb:c:${id}`;

/**
 * One Redis subscriber connection shared by every SSE stream, `Prefer: wait` and orchestration of
 * this API node: a job's channel is subscribed while someone watches it, once however many watch.
 *
 * @example
 * const watcher = new JobWatcher(redis.duplicate());
 * const stop = watcher.watch("job_1", (event) => event === "end" && console.log("done"));
 */
export class JobWatcher {
  readonly #subscriber: Redis;
  readonly #watchers = new Map<string, Set<(event: string) => void>>();

  constructor(subscriber: Redis) {
    this.#subscriber = subscriber;
    subscriber.on("message", (channel: string, message: string) => {
      for (const listener of this.#watchers.get(channel) ?? []) listener(message);
    });
  }

  /** Calls `listener` with each event name announced for job `id`; returns the unwatch. */
  watch(id: string, listener: (event: string) => void): () => void {
    const channel = jobChannel(id);
    let set = this.#watchers.get(channel);
    if (!set) {
      set = new Set();
      this.#watchers.set(channel, set);
      // A failed subscribe (Redis down) is redone by ioredis on reconnect (autoResubscribe); the watchers also poll.
      this.#subscriber.subscribe(channel).catch(() => undefined);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#watchers.get(channel) === set) {
        this.#watchers.delete(channel);
        this.#subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  close(): void {
    this.#watchers.clear();
    this.#subscriber.disconnect();
  }
}
