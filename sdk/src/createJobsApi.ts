import type { CallOptions, ClientCore } from "./ClientCore.js";
import { followJobEvents, type JobEventsOptions } from "./followJobEvents.js";
import { cancelJob, getJob, getJobResult, listJobs, submitJob } from "./gen/client.js";
import { JobHandle, type FollowOptions } from "./JobHandle.js";
import type { operations as Operations } from "./gen/types.js";
import type { AnyFunctions, FunctionCatalog } from "./functionTypes.js";
import type { JobRequestOf, JobResultOf } from "./jobTypes.js";
import type { Job, JobEvent, JobList, JobRequest, JobResult } from "./schemaTypes.js";

export type { ResultOf } from "./jobTypes.js";

/** Options of `jobs.submit`. */
export interface SubmitOptions extends CallOptions {
  /** Ask the server to wait up to this many seconds (≤ 60) for the job to finish (`Prefer: wait=N`). */
  waitSeconds?: number;
  /** Reuse a key to make a later submit a replay; by default a fresh key per logical submit. */
  idempotencyKey?: string;
}

/** Options of `jobs.run`. */
export interface RunOptions extends FollowOptions, Pick<SubmitOptions, "waitSeconds" | "idempotencyKey" | "timeoutMs"> {}

/**
 * The `jobs` namespace of a client. With a typed catalogue `F` (`createClient<Functions>()`)
 * requests are checked against it — `map`/`filter` take a unary function (`filter` one that
 * answers a boolean), `fold` a reducer, `mapreduce` an emitter plus a reducer that takes its
 * values; `input.items` are of the function's input type; `input.range` only where the input
 * accepts numbers — and results are typed (see `JobResultOf`). Without `F`, any `JobRequest`
 * goes and results have `unknown` items and values.
 *
 * @example
 * const client = createClient<Functions>({ baseUrl });
 * const { items } = await client.jobs.run({ kind: "map", function: "square", input: { items: [1, 2, 3] } }); // number[]
 * const { value } = await client.jobs.run({ kind: "fold", function: "sum", input: { range: { start: 1, end: 101 } } }); // number
 * // client.jobs.run({ kind: "fold", function: "square", input: { items: [1] } }); // does not compile: square is not a reducer
 */
export interface JobsApi<F extends FunctionCatalog = AnyFunctions> {
  /**
   * Submits a job (retried safely: one `Idempotency-Key` per logical submit, reused across
   * retries). The handle's `result()` and the `result` event of its `events()` are typed like
   * `run`'s result.
   */
  submit<R extends JobRequestOf<F>>(request: R, options?: SubmitOptions): Promise<JobHandle<JobResultOf<F, R>>>;
  /** Submits, follows progress, resolves with the typed result (rejects with the job's error). */
  run<R extends JobRequestOf<F>>(request: R, options?: RunOptions): Promise<JobResultOf<F, R>>;
  get(id: string, options?: CallOptions): Promise<Job>;
  result(id: string, options?: CallOptions): Promise<JobResult>;
  cancel(id: string, options?: CallOptions): Promise<Job>;
  list(query?: Operations["listJobs"]["parameters"]["query"], options?: CallOptions): Promise<JobList>;
  /** A job's events as an async iterator (see `followJobEvents`). */
  events(id: string, options?: JobEventsOptions): AsyncGenerator<JobEvent, void, undefined>;
}

/** Builds the `jobs` namespace over a client core. */
export function createJobsApi<F extends FunctionCatalog = AnyFunctions>(core: ClientCore): JobsApi<F> {
  // At run time a request is a request: the catalogue only narrows what compiles.
  const submit = async (request: JobRequest, options: SubmitOptions = {}): Promise<JobHandle<JobResult>> => {
    // The Idempotency-Key makes the submit safe to retry: the runtime reuses it for every attempt.
    const headers: Record<string, string> = { "idempotency-key": options.idempotencyKey ?? newKey() };
    if (options.waitSeconds !== undefined) headers.prefer = `wait=${Math.max(0, Math.min(60, Math.round(options.waitSeconds)))}`;
    const { waitSeconds: _wait, idempotencyKey: _key, ...callOptions } = options;
    let replayed = false;
    const job = await submitJob(core.api, { body: request }, {
      ...callOptions,
      headers: { ...headers, ...options.headers },
      onResponse: (r) => void (replayed = r.header("idempotent-replayed") === "true"),
    });
    return new JobHandle(core, job, replayed);
  };
  const api: JobsApi = {
    submit: submit as JobsApi["submit"],
    async run(request, options = {}) {
      const { onProgress, signal, ...rest } = options;
      const handle = await submit(request, { ...rest, ...(signal ? { signal } : {}) });
      try {
        return (await handle.result({ ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) })) as never;
      } catch (e) {
        // The caller gave up: free the server's workers too (best effort).
        if (signal?.aborted) void handle.cancel().catch(() => undefined);
        throw e;
      }
    },
    get: (id, options) => getJob(core.api, { path: { id } }, options),
    result: (id, options) => getJobResult(core.api, { path: { id } }, options),
    cancel: (id, options) => cancelJob(core.api, { path: { id } }, options),
    list: (query, options) => listJobs(core.api, query === undefined ? {} : { query }, options),
    events: (id, options) => followJobEvents(core, id, options),
  };
  return api as unknown as JobsApi<F>;
}

function newKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
