import type { CallOptions, Client, JobRequest } from "@polybridge/sdk";
import type { SdkCall } from "./toSdkCall.js";
import { NotExpressible } from "./NotExpressible.js";

/** What a typed call resolved with. */
export interface SdkResult {
  data: unknown;
  /** `JobHandle.replayed` when the call was `jobs.submit`: the SDK's reading of `Idempotent-Replayed`. */
  replayed?: boolean;
}

type CallBody = Parameters<Client["callFunction"]>[1];
type ListQuery = Parameters<Client["listJobs"]>[0];

/**
 * Makes the typed SDK call for one operation: the per-operation method a user would write
 * (`getJob(id)`, `callFunction(name, body)`, `jobs.submit(request, { waitSeconds,
 * idempotencyKey })`, …). Case bodies are cast to the operation's body type: the suite sends
 * invalid bodies on purpose, as a JavaScript caller could.
 *
 * @example
 * const { data } = await invokeSdk(client, toSdkCall({ method: "GET", path: "/v1/jobs/j1" }), { signal });
 */
export async function invokeSdk(client: Client, call: SdkCall, options: CallOptions): Promise<SdkResult> {
  const { path, query, headers, body } = call;
  switch (call.operationId) {
    case "getHealth":
      return { data: await client.getHealth(options) };
    case "listFunctions":
      return { data: await client.listFunctions(options) };
    case "getFunction":
      return { data: await client.getFunction(param(path, "name"), options) };
    case "callFunction":
      return { data: await client.callFunction(param(path, "name"), body as CallBody, options) };
    case "submitJob": {
      const wait = waitSeconds(headers.prefer);
      const key = headers["idempotency-key"];
      if (wait !== "other") {
        const handle = await client.jobs.submit(body as JobRequest, {
          ...options,
          ...(wait === undefined ? {} : { waitSeconds: wait }),
          ...(key === undefined ? {} : { idempotencyKey: key }),
        });
        return { data: handle.job, replayed: handle.replayed };
      }
      // A preference `waitSeconds` cannot state (respond-async, wait over 60): the generic typed call.
      return { data: await client.request("submitJob", { body: body as JobRequest, headers: { Prefer: headers.prefer, "Idempotency-Key": key } }, options) };
    }
    case "listJobs":
      return { data: await client.listJobs(query as ListQuery, options) };
    case "getJob":
      return { data: await client.getJob(param(path, "id"), options) };
    case "cancelJob":
      return { data: await client.cancelJob(param(path, "id"), options) };
    case "getJobResult":
      return { data: await client.getJobResult(param(path, "id"), options) };
    case "getOpenApiJson":
      return { data: await client.request("getOpenApiJson", {}, options) };
    case "getOpenApiYaml":
      throw new NotExpressible("reads the spec as YAML; the SDK reads JSON answers only");
    case "streamJobEvents":
      throw new NotExpressible("reads an event stream with a request step; the SDK reads it with jobs.events (an sse step)");
    default: {
      const missing: never = call.operationId;
      throw new Error(`invokeSdk: no SDK call for ${String(missing)}`);
    }
  }
}

function param(path: Record<string, string>, name: string): string {
  const value = path[name];
  if (value === undefined) throw new Error(`invokeSdk: path parameter '${name}' is missing`);
  return value;
}

// `jobs.submit` states Prefer only as `waitSeconds` (sent as `wait=N`, N capped at 60).
function waitSeconds(prefer: string | undefined): number | undefined | "other" {
  if (prefer === undefined) return undefined;
  const m = /^wait=(\d+)$/.exec(prefer.trim());
  return m?.[1] !== undefined && Number(m[1]) <= 60 ? Number(m[1]) : "other";
}
