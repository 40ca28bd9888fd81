import type { FunctionRegistry } from "@polybridge/core/functions";
import { z } from "zod";
import type { OperationId } from "../gen/operations.js";
import type { JobRequest, JobStatus } from "../schemaTypes.js";
import { jobEventStream } from "./jobEventStream.js";
import { isTerminalStatus, type MockJobEngine } from "./MockJobEngine.js";
import { MockProblemError } from "./mockProblem.js";
import type { MockOverrides } from "./MockControls.js";
import { bodyFingerprint, parsePrefer, specWithServer, yamlWithServer } from "@polybridge/core";
import { openApiJson, openApiYaml } from "./gen/openApiDocument.js";
import { zodFieldErrors } from "./zodFieldErrors.js";

/** A validated request of one operation. */
export interface ResolvedRequest {
  path: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
  /** The caller's tenant: the token it authenticated with, undefined when auth is off. */
  owner?: string | undefined;
  /** The mocked server's own URL (the base URL, or the request's origin under `"*"`). */
  serverUrl: string;
}

/** What a resolver answers: JSON (checked against the contract by the caller), or a stream. */
export type ResolvedAnswer =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: 200; stream: ReadableStream<Uint8Array>; headers: Record<string, string> };

/** What the resolvers share. */
export interface ResolverContext {
  engine: MockJobEngine;
  registry: FunctionRegistry;
  overrides: MockOverrides;
  heartbeatMs: number;
  maxWaitSeconds: number;
  callTimeoutMs: number;
  workers: number;
  startedAt: number;
}

let parsedDocument: object | undefined;
const openApiDocument = (): object => (parsedDocument ??= JSON.parse(openApiJson) as object);

function textStream(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

type Resolver = (request: ResolvedRequest) => Promise<ResolvedAnswer> | ResolvedAnswer;

function findFunction(registry: FunctionRegistry, name: string) {
  const def = registry.get(name);
  if (!def) throw new MockProblemError("function_not_found", `No function '${name}'.`);
  return def;
}

/** Runs `work` with an abort signal that fires after `timeoutMs` (then `call_timeout`). */
async function withTimeout<T>(name: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new MockProblemError("call_timeout", `${name} did not finish within ${timeoutMs} ms.`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function callOnce(ctx: ResolverContext, name: string, input: unknown, timeoutMs: number): Promise<unknown> {
  const def = findFunction(ctx.registry, name);
  // Reducers are called as [accumulator, item].
  const schema = def.kind === "reducer" ? z.tuple([def.output, def.input]) : def.input;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const errors = zodFieldErrors(parsed.error, "/input");
    throw new MockProblemError("validation_failed", `Invalid input for ${name}: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`, { errors });
  }
  const run = async (signal: AbortSignal): Promise<unknown> => {
    try {
      switch (def.kind) {
        case "unary": {
          const output = await def.run(parsed.data, { signal });
          const checked = def.output.safeParse(output);
          if (!checked.success) throw new Error(`${name} returned an invalid output: ${checked.error.issues.map((i) => i.message).join("; ")}`);
          return output;
        }
        case "reducer": {
          const [acc, item] = parsed.data as [unknown, unknown];
          return def.step(acc, item);
        }
        case "emitter":
          return def.run(parsed.data, { signal });
      }
    } catch (error) {
      if (signal.aborted) throw error;
      throw new MockProblemError("function_failed", error instanceof Error ? error.message : String(error));
    }
  };
  // Inline functions are synchronous on the reference server too: no timeout applies.
  return def.inline === true ? run(new AbortController().signal) : withTimeout(name, timeoutMs, run);
}

/**
 * One resolver per operation of the contract, mirroring the reference server's routes
 * (statuses, headers, bodies). The record type makes a new operation in the spec a compile
 * error here until it is implemented.
 */
export function operationResolvers(ctx: ResolverContext): Record<OperationId, Resolver> {
  const { engine, registry } = ctx;
  return {
    getHealth: () => ({
      status: 200,
      body: { status: "ok", version: "msw", uptimeSeconds: Math.max(0, Math.round(performance.now() - ctx.startedAt) / 1000), workers: ctx.workers, jobs: engine.counts() },
    }),
    // The contract the handlers were generated from, with `servers` naming the mocked server.
    getOpenApiJson: ({ serverUrl }) => ({ status: 200, body: specWithServer(openApiDocument(), serverUrl) }),
    getOpenApiYaml: ({ serverUrl }) => ({
      status: 200,
      stream: textStream(yamlWithServer(openApiYaml, serverUrl)),
      headers: { "content-type": "application/yaml; charset=utf-8" },
    }),
    listFunctions: () => ({ status: 200, body: { functions: registry.catalogue() } }),
    getFunction: ({ path }) => {
      const name = path.name ?? "";
      findFunction(registry, name);
      return { status: 200, body: registry.info(name) };
    },
    callFunction: async ({ path, body }) => {
      const name = path.name ?? "";
      const { input, timeoutMs } = body as { input: unknown; timeoutMs?: number };
      const started = performance.now();
      const output = await callOnce(ctx, name, input, timeoutMs ?? ctx.callTimeoutMs);
      return { status: 200, body: { function: name, output, durationMs: Math.round((performance.now() - started) * 1000) / 1000 } };
    },
    listJobs: ({ query, owner }) => ({ status: 200, body: engine.list(query as { status?: JobStatus; limit?: number; cursor?: string }, owner) }),
    submitJob: async ({ headers, body, owner }) => {
      const prefer = parsePrefer(headers.prefer ?? null, ctx.maxWaitSeconds);
      const key = headers["idempotency-key"];
      const request = body as JobRequest;
      const { job, replayed } = engine.submit(request, key === undefined ? undefined : { key, fingerprint: bodyFingerprint(request) }, () =>
        ctx.overrides.takeJobOutcome(),
        owner,
      );
      if (prefer.waitSeconds !== undefined) await engine.wait(job.id, prefer.waitSeconds * 1000, owner);
      const out: Record<string, string> = { location: job.links.self };
      if (prefer.waitSeconds !== undefined) out["preference-applied"] = `wait=${prefer.waitSeconds}`;
      else if (prefer.respondAsync) out["preference-applied"] = "respond-async";
      if (replayed) out["idempotent-replayed"] = "true";
      if (isTerminalStatus(job.status)) return { status: 200, body: engine.getWithResult(job.id, owner), headers: out };
      return { status: 202, body: { ...job, progress: { ...job.progress } }, headers: { ...out, "retry-after": "1" } };
    },
    getJob: ({ path, owner }) => {
      const job = engine.get(path.id ?? "", owner);
      const headers: Record<string, string> = isTerminalStatus(job.status) ? {} : { "retry-after": "1" };
      return { status: 200, body: { ...job, progress: { ...job.progress } }, headers };
    },
    cancelJob: ({ path, owner }) => ({ status: 200, body: engine.cancel(path.id ?? "", owner) }),
    getJobResult: ({ path, owner }) => ({ status: 200, body: engine.result(path.id ?? "", owner) }),
    streamJobEvents: ({ path, query, headers, signal, owner }) => {
      const log = engine.events(path.id ?? "", owner);
      // `?heartbeatMs=` (already checked against the contract's 100..60000) overrides the default.
      const heartbeatMs = (query.heartbeatMs as number | undefined) ?? ctx.heartbeatMs;
      return {
        status: 200,
        stream: jobEventStream(log, Number(headers["last-event-id"] ?? 0), heartbeatMs, signal),
        headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
      };
    },
  };
}
