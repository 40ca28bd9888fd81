import type { WorkerMessage } from "../engine/worker.js";

/**
 * What a chunk's queue entry carries: the message for the worker pool plus the attempt token the
 * reply must echo. The token is random per attempt, so a reply can only match the attempt that
 * asked for it, even when Redis lost its data and BullMQ ids start over.
 */
export type ChunkRequest = WorkerMessage & { token: string };

/** What a worker returns for a {@link ChunkRequest}: the request's queue id and token, then the outcome. */
export interface ChunkReply {
  id: string;
  token: string;
  outcome: unknown;
}

/**
 * The outcome of `reply` when it answers exactly the attempt `id`/`token`, else `undefined` (a
 * stray, stale or foreign reply, which must be dropped, never combined).
 *
 * @example
 * matchReply({ id: "a", token: "t", outcome: 1 }, "a", "t"); // { outcome: 1 }
 * matchReply({ id: "a", token: "u", outcome: 1 }, "a", "t"); // undefined
 */
export function matchReply(reply: unknown, id: string, token: string): { outcome: unknown } | undefined {
  if (typeof reply !== "object" || reply === null) return undefined;
  const candidate = reply as Partial<ChunkReply>;
  if (candidate.id !== id || candidate.token !== token || !("outcome" in candidate)) return undefined;
  return { outcome: candidate.outcome };
}
