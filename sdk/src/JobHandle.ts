import type { ClientCore, CallOptions } from "./ClientCore.js";
import { cancelJob, getJob, getJobResult } from "./gen/client.js";
import { followJobEvents, type JobEventsOptions } from "./followJobEvents.js";
import { PolybridgeError } from "./PolybridgeError.js";
import type { JobEventOf } from "./jobTypes.js";
import type { Job, JobResult, Progress } from "./schemaTypes.js";

/** Options of {@link JobHandle.result} and `jobs.run`. */
export interface FollowOptions {
  /** Called on every progress event (completed counts never decrease). */
  onProgress?: (progress: Progress, jobId: string) => void;
  /** Stop following; `jobs.run` also cancels the job on the server. */
  signal?: AbortSignal;
}

/**
 * A submitted job: its id, the job as submitted, and ways to follow, await or cancel it. `R` is
 * the job's result type: the contract's result of the request's kind (`MapResult`, …), or, from
 * a client typed by its catalogue (`createClient<Functions>()`), the request's typed result
 * (e.g. `{ kind: "map"; items: number[] }` for a map over `square`). `result()` resolves with
 * it and the `result` event of `events()` carries it.
 *
 * @example
 * const job = await client.jobs.submit({ kind: "map", function: "square", input: { items: [1, 2, 3] } });
 * for await (const event of job.events()) if (event.event === "result") console.log(event.data.items); // number[] when typed
 * const result = await job.result();
 */
export class JobHandle<R extends JobResult = JobResult> {
  /** The job id. */
  readonly id: string;

  constructor(
    private readonly core: ClientCore,
    /** The job as the submit answer described it. */
    readonly job: Job,
    /** True when the server replayed an earlier submission with the same `Idempotency-Key`. */
    readonly replayed: boolean,
  ) {
    this.id = job.id;
  }

  /**
   * The job's events as an async iterator (SSE, reconnecting, with polling fallback); the
   * `result` event's `data` is typed `R`.
   */
  events(options: JobEventsOptions = {}): AsyncGenerator<JobEventOf<R>, void, undefined> {
    return followJobEvents(this.core, this.id, options) as AsyncGenerator<JobEventOf<R>, void, undefined>;
  }

  /** Follows the job to its end: resolves with the (typed) result, or rejects with the job's error. */
  async result(options: FollowOptions = {}): Promise<R> {
    if (this.job.status === "successful" && this.job.result) return this.job.result as R;
    let result: JobResult | undefined;
    let final: Job | undefined;
    for await (const event of followJobEvents(this.core, this.id, options.signal ? { signal: options.signal } : {})) {
      if (event.event === "progress") options.onProgress?.(event.data.progress, this.id);
      else if (event.event === "result") result = event.data;
      else if (event.event === "status") final = event.data;
    }
    if (!final) throw new PolybridgeError("unexpected_response", `events of job ${this.id} ended without a final status`, { jobId: this.id });
    if (final.status === "successful") {
      return (result ?? (await getJobResult(this.core.api, { path: { id: this.id } }, signalOnly(options)))) as R;
    }
    if (final.error) throw PolybridgeError.from({ ...final.error, jobId: this.id });
    throw new PolybridgeError(final.status === "dismissed" ? "job_cancelled" : "job_failed", `Job ${this.id} ended ${final.status}`, { jobId: this.id });
  }

  /** Cancels (dismisses) the job; resolves with the job as the server now reports it. */
  async cancel(options: CallOptions = {}): Promise<Job> {
    return cancelJob(this.core.api, { path: { id: this.id } }, options);
  }

  /** The job's current state. */
  async refresh(options: CallOptions = {}): Promise<Job> {
    return getJob(this.core.api, { path: { id: this.id } }, options);
  }
}

function signalOnly(options: FollowOptions): CallOptions {
  return options.signal ? { signal: options.signal } : {};
}
