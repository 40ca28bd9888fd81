import { Redis } from "ioredis";

/** Default BullMQ queue name; server and workers must agree on it. */
export const DEFAULT_QUEUE = "polybridge-chunks";

/** Pub/sub channel on which the server asks workers to abort a running chunk. */
export function cancelChannel(queueName: string): string {
  return `${queueName}:cancel`;
}

/**
 * An ioredis client for BullMQ (`maxRetriesPerRequest: null`, which its blocking calls need).
 *
 * @example
 * const redis = redisConnection("redis://127.0.0.1:6379");
 */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}
