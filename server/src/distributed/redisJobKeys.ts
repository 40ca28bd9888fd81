import { createHash } from "node:crypto";

/**
 * Where the Redis job store keeps things (one namespace per Redis database): a hash per job
 * (`view`, `status`, `tenant`, `score`, `idem`, `result`, `ev`), its event stream, its input while
 * it runs, its chunk results while it runs, a sorted set of job ids per tenant and one of all
 * jobs (by creation time, in hundredths of a millisecond with the sequence number as tie-break), one of finished jobs (by end time) and the stored result size.
 *
 * @example
 * redisJobKeys.job("job_1"); // "pb:j:job_1"
 */
export const redisJobKeys = {
  job: (id: string) => `pb:j:${id}`,
  events: (id: string) => `pb:j:${id}:ev`,
  source: (id: string) => `pb:j:${id}:src`,
  chunks: (id: string) => `pb:j:${id}:ch`,
  listPrefix: "pb:l:",
  list: (tenant: string) => `pb:l:${tenant}`,
  all: "pb:all",
  finished: "pb:fin",
  seq: "pb:seq",
  resultChars: "pb:rc",
  /** The tenant and key hashed: a key costs a fixed size whatever its length. */
  idempotency: (scopedKey: string) => `pb:i:${createHash("sha256").update(scopedKey).digest("base64url")}`,
} as const;
