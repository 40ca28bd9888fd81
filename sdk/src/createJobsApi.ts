import type { CallOptions, ClientCore } from "./ClientCore.js";
import { followJobEvents, type JobEventsOptions } from "./followJobEvents.js";
import { JobHandle, type FollowOptions } from "./JobHandle.js";
import type { operations as Operations } from "./gen/types.js";
import type { Job, JobEvent, JobList, JobRequest, JobResult } from "./schemaTypes.js";

/** The result type for a request of a given kind (`map` → `MapResult`, …). */
export type ResultOf<R extends JobRequest> = Extract<JobResult, { kind: R["kind"] }>;

/** Options of `jobs.submit`. */
export interface SubmitOptions extends CallOptions {
  /** Ask the server to wait up to this many seconds (≤ 60) for the job to finish (`Prefer: wait=N`). */
  waitSeconds?: number;
  /** Reuse a key to make a later submit a replay; by default a fresh key per logical submit. */
  idempotencyKey?: string;
}

/** Options of `jobs.run`. */
export interface RunOptions extends FollowOptions, Pick<SubmitOptions, "waitSeconds" | "idempotencyKey" | "timeoutMs"> {}

/** The `jobs` namespace of a client. */
export interface JobsApi {
  /** Submits a job (retried safely: one `Idempotency-Key` per logical submit, reused across retries). */
  submit<R extends JobRequest>(request: R, options?: SubmitOptions): Promise<JobHandle<ResultOf<R>>>;
  /** Submits, follows progress, resolves with the typed result (rejects with the job's error). */
  run<R extends JobRequest>(request: R, options?: RunOptions): Promise<ResultOf<R>>;
  get(id: string, options?: CallOptions): Promise<Job>;
  result(id: string, options?: CallOptions): Promise<JobResult>;
  cancel(id: string, options?: CallOptions): Promise<Job>;
  list(query?: Operations["listJobs"]["parameters"]["query"], options?: CallOptions): Promise<JobList>;
  /** A job's events as an async iterator (see `followJobEvents`). */
  events(id: string, options?: JobEventsOptions): AsyncGenerator<JobEvent, void, undefined>;
}

/** Builds the `jobs` namespace over a client core. */
export function createJobsApi(core: ClientCore): JobsApi {
  const submit = async <R extends JobRequest>(request: R, options: SubmitOptions = {}): Promise<JobHandle<ResultOf<R>>> => {
    const headers: Record<string, string> = { "idempotency-key": options.idempotencyKey ?? newKey() };
    if (options.waitSeconds !== undefined) headers.prefer = `wait=${Math.max(0, Math.min(60, Math.round(options.waitSeconds)))}`;
    const answer = await core.send<Job>("submitJob", { body: request, headers }, options, { safe: true });
    return new JobHandle<ResultOf<R>>(core, answer.data, answer.header("idempotent-replayed") === "true");
  };
  return {
    submit,
    async run(request, options = {}) {
      const { onProgress, signal, ...rest } = options;
      const handle = await submit(request, { ...rest, ...(signal ? { signal } : {}) });
      try {
        return await handle.result({ ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) });
      } catch (e) {
        // The caller gave up: free the server's workers too (best effort).
        if (signal?.aborted) void handle.cancel().catch(() => undefined);
        throw e;
      }
    },
    get: async (id, options) => (await core.send<Job>("getJob", { path: { id } }, options)).data,
    result: async (id, options) => (await core.send<JobResult>("getJobResult", { path: { id } }, options)).data,
    cancel: async (id, options) => (await core.send<Job>("cancelJob", { path: { id } }, options)).data,
    list: async (query, options) => (await core.send<JobList>("listJobs", { query }, options)).data,
    events: (id, options) => followJobEvents(core, id, options),
  };
}

function newKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
