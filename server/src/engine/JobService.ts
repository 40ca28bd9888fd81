import type { Job, JobRequest } from "@polybridge/spec";
import type { FunctionCosts, JobQuery, LoggedEvent, Submission } from "@polybridge/core/engine";

/** What may come back at once or after a round trip (the in-memory engine answers at once, a Redis store after one). */
type Maybe<T> = T | Promise<T>;

/** A job's events for SSE: what is logged after `lastId`, whether the log is closed, and live events. */
export interface JobEventFeed {
  readonly closed: boolean;
  since(lastId: number): LoggedEvent[];
  /** `null` once the job ended; returns the unsubscribe. */
  subscribe(listener: (event: LoggedEvent | null) => void): () => void;
}

/**
 * What the routes ask of a job store: the in-memory {@link JobEngine} and the Redis-backed one
 * (`serve --redis`, any number of API nodes) both answer it.
 *
 * @example
 * const { job } = await service.submit(request, undefined, tenant);
 * const settled = await service.wait(job.id, 5_000, tenant);
 */
export interface JobService {
  readonly draining: boolean;
  /** Measured cost of each function (default chunk sizes, sync calls run on this thread), when the store measures. */
  readonly costs: FunctionCosts | undefined;
  counts(): { queued: number; running: number; stored: number };
  storeUsage(): { resultChars: number; storedBytes: number };
  submit(request: JobRequest, idempotency?: { key: string; fingerprint: string }, tenant?: string, forced?: undefined, context?: { requestId?: string }): Maybe<Submission>;
  get(id: string, tenant?: string): Maybe<Job>;
  jobWithResultJson(id: string, tenant?: string): Maybe<string[] | undefined>;
  resultJson(id: string, tenant?: string): Maybe<string>;
  /** The result's JSON text in pieces whose concatenation is the result (sent without joining them). */
  resultPieces(id: string, tenant?: string): Maybe<readonly string[]>;
  wait(id: string, timeoutMs: number, tenant?: string): Promise<Job>;
  cancel(id: string, tenant?: string): Maybe<Job>;
  list(query: JobQuery, tenant?: string): Maybe<{ jobs: Job[]; nextCursor: string | null }>;
  /** `lastId` lets a remote store fetch only what the client has not seen. */
  events(id: string, tenant?: string, lastId?: number): Maybe<JobEventFeed>;
  drain(graceMs: number): Promise<void>;
}
