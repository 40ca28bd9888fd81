import type { Redis } from "ioredis";

// Every change of a job goes through one of these scripts, so that a cancel on one node, the
// timeout and the orchestration on another never overwrite a terminal state, and event ids stay
// strictly increasing (the SSE ids: `0-<n>` stream ids, n from the job hash's `ev` counter).
const APPEND = `
local function append(e, d)
  local n = redis.call('HINCRBY', KEYS[1], 'ev', 1)
  redis.call('XADD', KEYS[2], '0-' .. n, 'e', e, 'd', d)
  redis.call('PUBLISH', ARGV[1], e)
end
local function terminal(s) return s == 'successful' or s == 'failed' or s == 'dismissed' end
`;

/** KEYS: job, events. ARGV: channel, view, status, event, data, mode (`start` | `progress`), completedChunks. */
const UPDATE = `${APPEND}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or terminal(status) then return 0 end
if ARGV[6] == 'start' and status ~= 'accepted' then return 0 end
if ARGV[6] == 'progress' then
  local view = cjson.decode(redis.call('HGET', KEYS[1], 'view'))
  if tonumber(ARGV[7]) <= view.progress.completedChunks then return 0 end
end
redis.call('HSET', KEYS[1], 'view', ARGV[2], 'status', ARGV[3])
append(ARGV[4], ARGV[5])
return 1`;

/**
 * KEYS: job, events, finished (zset), source, chunks, stored result chars. ARGV: channel, view, status, resultJson or '',
 * errorJson or '', finishedAtMs, id. Returns 0 when the job was already terminal (or is gone).
 */
const FINISH = `${APPEND}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or terminal(status) then return 0 end
redis.call('HSET', KEYS[1], 'view', ARGV[2], 'status', ARGV[3])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'result', ARGV[4])
  redis.call('INCRBY', KEYS[6], string.len(ARGV[4]))
  append('result', ARGV[4])
end
if ARGV[5] ~= '' then append('error', ARGV[5]) end
append('status', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7])
redis.call('DEL', KEYS[4], KEYS[5])
redis.call('PUBLISH', ARGV[1], 'end')
return 1`;

/**
 * KEYS: job, events, source, tenant's list, all jobs. ARGV: channel, view, tenant, list score, idempotency
 * key ('' for none), source JSON, id. A new job in one step: record, input, list entries, first event.
 */
const CREATE = `${APPEND}
redis.call('HSET', KEYS[1], 'view', ARGV[2], 'status', 'accepted', 'tenant', ARGV[3], 'score', ARGV[4], 'idem', ARGV[5])
redis.call('SET', KEYS[3], ARGV[6])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[7])
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[7])
append('status', ARGV[2])
return 1`;

/**
 * KEYS: job, events, all jobs, finished jobs, stored result chars. ARGV: id, tenant list prefix.
 * Forgets a job (TTL, budgets): record, events, list entries, idempotency key, result size.
 */
const REMOVE = `
local t = redis.call('HMGET', KEYS[1], 'tenant', 'idem')
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
if not t[1] then return 0 end
local len = redis.call('HSTRLEN', KEYS[1], 'result')
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', ARGV[2] .. t[1], ARGV[1])
if t[2] and t[2] ~= '' then redis.call('DEL', t[2]) end
if len > 0 then redis.call('DECRBY', KEYS[5], len) end
return 1`;

/** KEYS: job, chunks. ARGV: index, outcome JSON. Kept only while the job runs (a late chunk must not recreate the key). */
const CHUNK = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'successful' or status == 'failed' or status == 'dismissed' then return 0 end
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
return 1`;

/** The scripts as ioredis commands on `redis`. */
export interface JobScripts {
  pbUpdate(job: string, events: string, channel: string, view: string, status: string, event: string, data: string, mode: string, completed: number): Promise<number>;
  pbFinish(job: string, events: string, finished: string, source: string, chunks: string, resultChars: string, channel: string, view: string, status: string, resultJson: string, errorJson: string, finishedAt: number, id: string): Promise<number>;
  pbCreate(job: string, events: string, source: string, list: string, all: string, channel: string, view: string, tenant: string, score: number, idempotencyKey: string, sourceJson: string, id: string): Promise<number>;
  pbRemove(job: string, events: string, all: string, finished: string, resultChars: string, id: string, listPrefix: string): Promise<number>;
  pbChunk(job: string, chunks: string, index: number, outcome: string): Promise<number>;
}

/**
 * Defines the job store's Lua scripts on a client (sent once, then run by SHA).
 *
 * @example
 * const redis = withJobScripts(new Redis(url));
 * await redis.pbChunk(jobKey, chunksKey, 3, '{"ok":true,...}');
 */
export function withJobScripts(redis: Redis): Redis & JobScripts {
  redis.defineCommand("pbUpdate", { numberOfKeys: 2, lua: UPDATE });
  redis.defineCommand("pbFinish", { numberOfKeys: 6, lua: FINISH });
  redis.defineCommand("pbRemove", { numberOfKeys: 5, lua: REMOVE });
  redis.defineCommand("pbCreate", { numberOfKeys: 5, lua: CREATE });
  redis.defineCommand("pbChunk", { numberOfKeys: 2, lua: CHUNK });
  return redis as Redis & JobScripts;
}
