import type { Executor } from "@polybridge/core/engine";

/** An executor that depends on Redis and knows whether it reaches it (the BullMQ executor). */
export interface RedisBacked {
  readonly redisDown: boolean;
}

/**
 * The health document's `redis` field: `{ redis: "up" | "down" }` for an executor that runs
 * through Redis, `{}` for the local pool (the field is absent there).
 *
 * @example
 * redisHealth(new BullMQExecutor({ redisUrl })); // { redis: "up" }
 */
export function redisHealth(executor: Executor): { redis?: "up" | "down" } {
  const backed = executor as Partial<RedisBacked>;
  return typeof backed.redisDown === "boolean" ? { redis: backed.redisDown ? "down" : "up" } : {};
}
