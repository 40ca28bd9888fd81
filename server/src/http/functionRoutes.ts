import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ExecutorBusyError, type CallOutcome } from "@polybridge/core/engine";
import { runCall } from "@polybridge/core/engine";
import { zodFieldErrors } from "@polybridge/core/functions";
import { ProblemError } from "../ProblemError.js";
import type { PolybridgeContext } from "./PolybridgeContext.js";
import { fastifyPath, routeSchema } from "./routeSchema.js";

type NameParams = { Params: { name: string } };

/** Calls on the main thread (inline functions, and tiny calls of others) cannot be interrupted, so they get a signal that never fires. */
const NEVER = new AbortController().signal;

/** Why a pool call's worker is stopped at its timeout (shared: no stack trace per call). */
const CALL_TIMED_OUT = new Error("call timed out");

/** Re-runs of a call whose worker died (as for job chunks). */
const MAX_CALL_RETRIES = 2;

/** `GET /v1/functions`, `GET /v1/functions/{name}`, `POST /v1/functions/{name}/call`. */
export function functionRoutes(app: FastifyInstance, ctx: PolybridgeContext): void {
  const { registry, executor } = ctx;
  const costs = ctx.engine.costs;
  const find = (name: string) => {
    const def = registry.get(name);
    if (!def) throw new ProblemError("function_not_found", `No function '${name}'.`);
    return def;
  };
  // Reducers are called as [accumulator, item]; built once per function, not per call.
  const callSchemas = new Map<string, z.ZodType>();
  const callSchema = (name: string): z.ZodType => {
    let schema = callSchemas.get(name);
    if (!schema) {
      const def = find(name);
      schema = def.kind === "reducer" ? z.tuple([def.output, def.input]) : def.input;
      callSchemas.set(name, schema);
    }
    return schema;
  };

  // The timeout is a plain timer cleared when the call ends: `AbortSignal.timeout` would keep a
  // timer (and a weakly held signal) alive for the whole timeout after every call, tens of
  // thousands of them under load. Signal and timer are made when first asked for (a pool call
  // always asks; a function run here only if it reads its signal, which a synchronous one cannot
  // honour anyway). A call whose signal fired answers call_timeout.
  const withTimeout = async (name: string, timeoutMs: number, run: (signal: () => AbortSignal) => Promise<CallOutcome>): Promise<CallOutcome> => {
    const started = performance.now();
    let controller: AbortController | undefined;
    let timer: NodeJS.Timeout | undefined;
    const signal = (): AbortSignal => {
      if (!controller) {
        const made = (controller = new AbortController());
        timer = setTimeout(() => made.abort(CALL_TIMED_OUT), Math.max(0, timeoutMs - (performance.now() - started)));
      }
      return controller.signal;
    };
    try {
      return await run(signal);
    } catch (error) {
      if (controller?.signal.aborted) throw new ProblemError("call_timeout", `${name} did not finish within ${timeoutMs} ms.`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  // A worker that dies under a call (killed by a cancel racing it, out of heap) is replaced; the
  // call is re-run like a job's chunk would be, since functions are pure.
  const onPool = (name: string, input: unknown, timeoutMs: number): Promise<CallOutcome> =>
    withTimeout(name, timeoutMs, async (makeSignal) => {
      const signal = makeSignal();
      for (let attempt = 1; ; attempt++) {
        try {
          return await executor.call(name, input, signal);
        } catch (error) {
          if (signal.aborted) throw error;
          if (error instanceof ExecutorBusyError) throw new ProblemError("queue_full", "All workers are busy.", { retryAfterSeconds: 1 });
          if (attempt > MAX_CALL_RETRIES) throw new ProblemError("internal_error", `The worker running ${name} died ${attempt} times.`);
        }
      }
    });

  app.get(fastifyPath("listFunctions"), { schema: routeSchema("listFunctions") }, async () => ({
    functions: registry.catalogue(),
  }));

  app.get<NameParams>(fastifyPath("getFunction"), { schema: routeSchema("getFunction") }, async (request) => {
    find(request.params.name);
    return registry.info(request.params.name);
  });

  app.post<NameParams & { Body: { input: unknown; timeoutMs?: number } }>(
    fastifyPath("callFunction"),
    { schema: routeSchema("callFunction") },
    async (request) => {
      const { name } = request.params;
      const parsed = callSchema(name).safeParse(request.body.input);
      if (!parsed.success) {
        const errors = zodFieldErrors(parsed.error, "/input");
        throw new ProblemError("validation_failed", `Invalid input for ${name}: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`, { errors });
      }
      const started = performance.now();
      let outcome: CallOutcome;
      const inline = find(name).inline;
      if (inline === true) outcome = await runCall(registry, name, parsed.data, NEVER);
      else if (inline === "auto" && costs?.canInline(`call ${name}`, 1)) {
        // Measured tiny on the workers (FunctionCosts): a worker round trip would cost more than the
        // call. With the call's timeout as its signal: an asynchronous function that honours it stops.
        outcome = await withTimeout(name, request.body.timeoutMs ?? ctx.callTimeoutMs, (signal) => runCall(registry, name, parsed.data, signal));
        costs.ranInline(`call ${name}`, 1, performance.now() - started);
      } else {
        outcome = await onPool(name, parsed.data, request.body.timeoutMs ?? ctx.callTimeoutMs);
        if (outcome.ok && outcome.computeMs !== undefined) costs?.measured(`call ${name}`, outcome.computeMs);
      }
      if (!outcome.ok) throw new ProblemError("function_failed", outcome.message);
      return { function: name, output: outcome.output, durationMs: Math.round((performance.now() - started) * 1000) / 1000 };
    },
  );
}
