import { Redis } from "ioredis";
import type { OutageLog } from "./OutageLog.js";

/** Default BullMQ queue name; server and workers must agree on it. */
export const DEFAULT_QUEUE = "polybridge-chunks";

/** Pub/sub channel on which the server asks workers to abort a running chunk. */
export function cancelChannel(queueName: string): string {
  return `${queueName}:cancel`;
}

/**
 * An ioredis client for BullMQ (`maxRetriesPerRequest: null`, which its blocking calls need), its
 * connection errors and reconnections reported to `outage` (a client without an `error` listener
 * prints `[ioredis] Unhandled error event` at every retry while Redis is down).
 *
 * @example
 * const redis = redisConnection("redis://127.0.0.1:6379", new OutageLog("serve"));
 */
export function redisConnection(url: string, outage: OutageLog): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false }).on("error", outage.error).on("ready", outage.ready);
}
