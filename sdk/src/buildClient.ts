import { ClientCore, type CallOptions, type RawArgs, type ValidateMode } from "./ClientCore.js";
import { callFunction, getFunction, getHealth, getOpenApiJson, getOpenApiYaml, listFunctions } from "./gen/client.js";
import { createJobsApi, type JobsApi, type SubmitOptions } from "./createJobsApi.js";
import type { JobHandle } from "./JobHandle.js";
import type { JobRequestOf, JobResultOf } from "./jobTypes.js";
import { fetchTransport } from "./fetchTransport.js";
import { followJobEvents, type JobEventsOptions } from "./followJobEvents.js";
import type { OperationId } from "./gen/operations.js";
import type { components, operations as Operations } from "./gen/types.js";
import type { AnyFunctions, CallInput, CallOutput, FunctionCatalog } from "./functionTypes.js";
import type { ArgsOptional, OperationArgs, OperationResult } from "./operationTypes.js";
import { retryPolicy, type RetryOptions } from "./retryPolicy.js";
import type { Transport } from "./Transport.js";
import type { FunctionInfo, Health, Job, JobEvent, JobList, JobResult } from "./schemaTypes.js";

type Schemas = components["schemas"];

/** Options of `createClient`. */
export interface ClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080` (a path prefix is kept: `https://host/compute`). */
  baseUrl: string;
  /** Use this `fetch` instead of the default transport (undici in Node, fetch in browsers). */
  fetch?: typeof globalThis.fetch;
  /** Full control over sending (tests, custom agents). Wins over `fetch`. */
  transport?: Transport;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * A bearer token for servers started with tokens: every request — calls, job submissions and
   * their retries, event streams and their reconnects, the polling fallback — carries
   * `Authorization: Bearer <token>`. Give a function to supply it per request (it may be async
   * and is called again before each retry and reconnect, so a rotating token stays fresh); an
   * empty string sends no `Authorization`. A server that refuses it answers 401, which rejects
   * with a `PolybridgeError` of code `unauthorized` (not retried).
   *
   * @example
   * const client = createClient({ baseUrl: "https://compute.example", token: process.env.POLYBRIDGE_TOKEN ?? "" });
   * // Or ask for the current token each time (e.g. from a session that refreshes it):
   * const rotating = createClient({ baseUrl: "https://compute.example", token: async () => (await session.current()).accessToken });
   */
  token?: string | (() => string | Promise<string>);
  /** Give up on a call after this long, retries included. Default 30,000 ms. */
  timeoutMs?: number;
  /** Retries for safe requests (GET, job submission); `false` disables them. */
  retry?: RetryOptions | false;
  /** Check answers against the contract: `"warn"` reports drift, `"strict"` throws `response_invalid`. Default `"off"`. */
  validate?: ValidateMode;
  /** Where `validate: "warn"` reports go. Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Options of `client.call`. */
export interface FunctionCallOptions extends CallOptions {
  /** Server-side bound on the function's run (`504 call_timeout` past it). */
  functionTimeoutMs?: number;
}

/**
 * A typed polybridge client. `F` is the function catalogue (from `generateFunctions`): it types
 * `call` and the jobs of `jobs.run` / `jobs.submit` (functions of the right kind, items of the
 * function's input, typed results). Without it any name is accepted and inputs and outputs are
 * `unknown`.
 */
export interface Client<F extends FunctionCatalog = AnyFunctions> {
  /** Calls a function once and resolves with its output. */
  call<N extends keyof F & string>(name: N, input: CallInput<F[N]>, options?: FunctionCallOptions): Promise<CallOutput<F[N]>>;
  /** Jobs: submit, run (with progress), get, result, cancel, list, events; typed by the catalogue `F`. */
  readonly jobs: JobsApi<F>;
  /** Any operation of the contract by `operationId`, typed from the generated types. */
  request<Op extends OperationId>(
    operationId: Op,
    ...args: ArgsOptional<Op> extends true ? [args?: OperationArgs<Op>, options?: CallOptions] : [args: OperationArgs<Op>, options?: CallOptions]
  ): Promise<OperationResult<Op>>;
  getHealth(options?: CallOptions): Promise<Health>;
  /** The server's contract as it serves it (`servers` = the server itself). */
  getOpenApiJson(options?: CallOptions): Promise<Schemas["OpenApiDocument"]>;
  /** The same contract as YAML text. */
  getOpenApiYaml(options?: CallOptions): Promise<string>;
  listFunctions(options?: CallOptions): Promise<Schemas["FunctionList"]>;
  getFunction(name: keyof F & string, options?: CallOptions): Promise<FunctionInfo>;
  callFunction(name: keyof F & string, body: Schemas["CallRequest"], options?: CallOptions): Promise<Schemas["CallResponse"]>;
  /** The same as `jobs.submit`. */
  submitJob<R extends JobRequestOf<F>>(request: R, options?: SubmitOptions): Promise<JobHandle<JobResultOf<F, R>>>;
  listJobs(query?: Operations["listJobs"]["parameters"]["query"], options?: CallOptions): Promise<JobList>;
  getJob(id: string, options?: CallOptions): Promise<Job>;
  cancelJob(id: string, options?: CallOptions): Promise<Job>;
  getJobResult(id: string, options?: CallOptions): Promise<JobResult>;
  streamJobEvents(id: string, options?: JobEventsOptions): AsyncGenerator<JobEvent, void, undefined>;
  /** Releases the connection pool (Node). */
  close(): Promise<void>;
}

/** Builds a client; `defaultTransport` is what the entry point (Node or browser) prefers. */
export function buildClient<F extends FunctionCatalog>(options: ClientOptions, defaultTransport: (baseUrl: string) => Transport): Client<F> {
  const transport = options.transport ?? (options.fetch ? fetchTransport(options.fetch) : defaultTransport(options.baseUrl));
  const core = new ClientCore({
    baseUrl: options.baseUrl,
    transport,
    headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    token: options.token,
    timeoutMs: options.timeoutMs ?? 30_000,
    retry: retryPolicy(options.retry),
    validate: options.validate ?? "off",
    onWarning: options.onWarning ?? ((message) => console.warn(`[polybridge] ${message}`)),
  });
  const jobs = createJobsApi<F>(core);
  const api = core.api;
  return {
    async call(name, input, callOptions = {}) {
      const { functionTimeoutMs, ...options } = callOptions;
      const body = functionTimeoutMs === undefined ? { input } : { input, timeoutMs: functionTimeoutMs };
      const answer = await callFunction(api, { path: { name }, body }, options);
      return answer.output as CallOutput<F[typeof name]>;
    },
    jobs,
    request: async (operationId, ...[args, callOptions]) => (await core.send<never>(operationId, (args ?? {}) as RawArgs, callOptions)).data,
    getHealth: (o) => getHealth(api, {}, o),
    getOpenApiJson: (o) => getOpenApiJson(api, {}, o),
    getOpenApiYaml: (o) => getOpenApiYaml(api, {}, o) as Promise<string>,
    listFunctions: (o) => listFunctions(api, {}, o),
    getFunction: (name, o) => getFunction(api, { path: { name } }, o),
    callFunction: (name, body, o) => callFunction(api, { path: { name }, body }, o),
    submitJob: (request, o) => jobs.submit(request, o),
    listJobs: (query, o) => jobs.list(query, o),
    getJob: (id, o) => jobs.get(id, o),
    cancelJob: (id, o) => jobs.cancel(id, o),
    getJobResult: (id, o) => jobs.result(id, o),
    streamJobEvents: (id, o) => followJobEvents(core, id, o),
    close: () => transport.close(),
  };
}
