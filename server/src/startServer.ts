import { readFileSync } from "node:fs";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import { defaultLimits } from "@polybridge/core";
import Fastify, { type FastifyInstance } from "fastify";
import type { Executor } from "@polybridge/core/engine";
import { JobEngine, type JobEngineOptions } from "./engine/JobEngine.js";
import type { JobService } from "./engine/JobService.js";
import { LocalExecutor } from "./engine/LocalExecutor.js";
import type { FunctionRegistry } from "@polybridge/core/functions";
import { builtinsModule } from "./functions/builtinsModule.js";
import { loadRegistry } from "./functions/loadRegistry.js";
import { bearerAuth, readAuthEnv, type AuthSettings } from "./http/bearerAuth.js";
import { answerExpectContinue } from "./http/checkContinue.js";
import { clientErrorHandler } from "./http/clientErrorHandler.js";
import { errorHandler, notFoundHandler, sendProblem } from "./http/errorHandler.js";
import { ProblemError } from "./ProblemError.js";
import { polybridgePlugin } from "./http/polybridgePlugin.js";
import { Observability, type LogLevel } from "./observability.js";
import { bufferedLog } from "./bufferedLog.js";
import { demoRoutes } from "./http/demoRoutes.js";
import { docsRoutes } from "./http/docsRoutes.js";

/** Options of {@link startServer}; every limit has a safe default. */
export interface ServerOptions extends Omit<JobEngineOptions, "executor" | "registry"> {
  /** Default `PORT` or 8080; `0` picks a free port. */
  port?: number;
  /** Default `HOST` or 127.0.0.1. */
  host?: string;
  /** Worker threads of the local pool. Default: all cores. */
  workers?: number;
  /** Extra function modules (paths or file URLs) loaded after the built-ins. */
  functionModules?: readonly string[];
  /** Leave out the built-in functions (a template that serves only its own). */
  skipBuiltins?: boolean;
  /** Replace the local pool, e.g. with a distributed executor. */
  executor?: Executor;
  /**
   * Keep jobs elsewhere than in this process's memory (the Redis job store of `serve --redis`):
   * called with the engine options the in-memory engine would get. Default: the in-memory engine.
   */
  jobStore?: (options: JobEngineOptions) => Promise<JobService>;
  /** Old-generation heap limit of each worker. Default 1024 MB. */
  maxHeapMb?: number;
  /** SSE heartbeat. Default `POLYBRIDGE_HEARTBEAT_MS` or 15 s. */
  heartbeatMs?: number;
  /** Largest request body. Default 16 MiB. */
  bodyLimitBytes?: number;
  /** Deepest JSON nesting. Default 64. */
  maxDepth?: number;
  /** Bound of sync calls that set no `timeoutMs`. Default 60 s. */
  callTimeoutMs?: number;
  /** Cap of `Prefer: wait=N`. Default 60. */
  maxWaitSeconds?: number;
  /** fastify's logger (pino), at `info`. Default off. */
  logger?: boolean;
  /** Logs JSON lines (pino) at this level (implies `logger`): `info` = start-up, one line per job when it ends, errors; `debug` adds a line per job submitted and one per request. */
  logLevel?: LogLevel;
  /** `GET /metrics` in Prometheus text format (prom-client). Default true. */
  metrics?: boolean;
  /** Bearer tokens and open route groups. Default: `POLYBRIDGE_AUTH_*` environment variables (no tokens = open server). */
  auth?: AuthSettings;
  /** Origins allowed to call from a browser page (CORS); `["*"]` for any. Default none. */
  corsOrigins?: readonly string[];
  /** Requests per minute per token (or per IP without one); past it `429 rate_limited`. Default off. */
  rateLimitPerMinute?: number;
  /** Time to receive a whole request (headers and body). Default 30 s. */
  requestTimeoutMs?: number;
  /** Time to receive the request headers. Default 10 s. */
  headersTimeoutMs?: number;
  /** Idle time a kept-alive connection is held between requests. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** Serve the API reference at `/docs` (Swagger UI, assets served locally). Default true. */
  docs?: boolean;
  /** Registers extra routes in the protocol's scope (parsing, validation, problem errors). */
  configure?: (app: FastifyInstance) => void | Promise<void>;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port` with the real port. */
  url: string;
  port: number;
  app: FastifyInstance;
  /** The in-memory {@link JobEngine}, or the store `jobStore` made. */
  engine: JobService;
  registry: FunctionRegistry;
  /**
   * Graceful stop: new jobs get `503 shutting_down`, running ones get `graceMs` to finish
   * (then they are dismissed), then the socket and the pool close.
   */
  close(graceMs?: number): Promise<void>;
}

const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * Starts the reference server: the protocol on fastify, jobs on a worker pool.
 *
 * @example
 * const server = await startServer({ port: 0 });
 * const res = await fetch(`${server.url}/v1/health`);
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const modules = [...(options.skipBuiltins ? [] : [builtinsModule]), ...(options.functionModules ?? [])];
  const registry = await loadRegistry(modules);
  const executor = options.executor ?? new LocalExecutor({ modules, workers: options.workers, maxHeapMb: options.maxHeapMb ?? 1024 });
  const observe = new Observability({ metrics: options.metrics ?? true });
  const onEvent = options.onEvent;
  const engineOptions: JobEngineOptions = {
    ...options,
    executor,
    registry,
    onEvent: onEvent ? (event) => (observe.onEvent(event), onEvent(event)) : observe.onEvent,
  };
  const engine: JobService = options.jobStore ? await options.jobStore(engineOptions) : new JobEngine(engineOptions);
  const bodyLimit = options.bodyLimitBytes ?? defaultLimits.bodyLimitBytes;
  const log = options.logLevel ? bufferedLog() : undefined;
  const app = Fastify({
    ...Observability.fastifyOptions(log ? { level: options.logLevel!, ...log.options } : (options.logger ?? false)),
    bodyLimit,
    forceCloseConnections: "idle",
    // Slow or stalled clients must not hold sockets: bounded headers, body and idle keep-alive.
    // Node checks these timers every `connectionsCheckingInterval`, so that is kept short too.
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    // Node answers a missing Host with a bare 400 of its own; the hook below answers it as a problem.
    http: { headersTimeout: options.headersTimeoutMs ?? 10_000, connectionsCheckingInterval: 1_000, requireHostHeader: false },
    clientErrorHandler,
    // Long ids must reach the route so its schema answers 400, not the router's bare 414.
    routerOptions: { maxParamLength: 1_000 },
    // Router-level errors (bad percent-encoding) leave as problems like every other error.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
  });
  answerExpectContinue(app.server, bodyLimit);
  // First of the hooks: X-Request-Id on every answer (401s included), request metrics, GET /metrics.
  observe.attach(app, engine, executor);
  app.setNotFoundHandler(notFoundHandler);
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    const any = options.corsOrigins.includes("*");
    await app.register(cors, {
      origin: any ? true : [...options.corsOrigins],
      methods: ["GET", "HEAD", "POST", "DELETE"],
      allowedHeaders: ["authorization", "content-type", "prefer", "idempotency-key", "last-event-id", "x-request-id"],
      exposedHeaders: ["location", "retry-after", "preference-applied", "idempotent-replayed", "www-authenticate", "allow", "x-request-id"],
      maxAge: 600,
    });
  }
  app.addHook("onRequest", (request, reply, done) => {
    if (request.headers.host !== undefined || request.raw.httpVersion !== "1.1") return done();
    void reply.header("connection", "close");
    void sendProblem(reply, new ProblemError("validation_failed", "An HTTP/1.1 request needs a Host header.", { errors: [{ path: "header:/host", message: "is required" }] }));
  });
  demoRoutes(app); // The demo page at / (POLYBRIDGE_DEMO=off turns it off); open, so before the auth hook.
  const auth = bearerAuth(options.auth ?? readAuthEnv());
  if (auth) app.addHook("onRequest", auth);
  if (options.rateLimitPerMinute) {
    await app.register(rateLimit, {
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      // Per token when one is sent (hashed by the auth hook's rules), else per client address.
      keyGenerator: (request) => request.headers.authorization ?? request.ip,
      allowList: (request) => request.url.split("?")[0] === "/v1/health",
      errorResponseBuilder: (_request, context) =>
        new ProblemError("rate_limited", `More than ${context.max} requests in a minute; retry ${context.after}.`, {
          retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
        }),
    });
  }
  if (options.docs ?? true) await app.register(docsRoutes);
  await app.register(polybridgePlugin, {
    engine,
    executor,
    registry,
    version,
    heartbeatMs: options.heartbeatMs ?? Number(process.env.POLYBRIDGE_HEARTBEAT_MS ?? 15_000),
    callTimeoutMs: options.callTimeoutMs ?? defaultLimits.callTimeoutMs,
    maxWaitSeconds: options.maxWaitSeconds ?? defaultLimits.maxWaitSeconds,
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(options.configure ? { configure: options.configure } : {}),
  });
  const host = options.host ?? process.env.HOST ?? "127.0.0.1";
  await app.listen({ port: options.port ?? Number(process.env.PORT ?? 8080), host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    app,
    engine,
    registry,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        await engine.drain(graceMs);
        await app.close();
        await executor.close();
        log?.close();
      })();
      return closing;
    },
  };
}
