import { randomUUID } from "node:crypto";
import type { Executor, JobEngineEvent } from "@polybridge/core/engine";
import type { DestinationStream, LoggerOptions } from "pino";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { JobService } from "./engine/JobService.js";
import { lazyChildLogger } from "./http/lazyChildLogger.js";
import { ServerMetrics, type PoolStats } from "./metrics/ServerMetrics.js";

/** A request id a client may choose: 1..128 printable ASCII characters (no spaces or controls). */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The `X-Request-Id` of a request if it is acceptable, else a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && REQUEST_ID.test(header) ? header : randomUUID();
}

/** Whether a logger writes `debug` lines (checked before building a line's object on hot paths). */
const isDebug = (log: FastifyBaseLogger): boolean => (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.("debug") === true;

// fastify ≥ 5.12 turns its per-request lines off through a LogController (the top-level
// `disableRequestLogging` still works but warns); older 5.x only knows the option.
const LogControllerClass = (Fastify as unknown as { LogController?: new (options: { disableRequestLogging: boolean }) => NonNullable<FastifyServerOptions["logController"]> }).LogController;
const quietRequests: Pick<FastifyServerOptions, "logController" | "disableRequestLogging"> = LogControllerClass
  ? { logController: new LogControllerClass({ disableRequestLogging: true }) }
  : { disableRequestLogging: true };

/** Log levels of `--log-level` (pino's). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * What the reference server observes about itself: request ids, structured logs of requests and
 * jobs (fastify's pino), and Prometheus metrics at `GET /metrics`. startServer wires it in three
 * steps: {@link fastifyOptions} for fastify, {@link onEvent} for the job engine, {@link attach}
 * once both exist.
 */
export class Observability {
  readonly metrics: ServerMetrics | undefined;
  #log: FastifyBaseLogger | undefined;

  constructor(options: { metrics: boolean }) {
    this.metrics = options.metrics ? new ServerMetrics() : undefined;
  }

  /**
   * Fastify's settings: each request's id is its `X-Request-Id` when valid (printable, at most 128
   * characters), else a UUID; fastify's own two lines per request are off, {@link attach} logs one
   * at `debug` instead, so `info` stays about the server and its jobs.
   */
  static fastifyOptions(logger: (Pick<LoggerOptions, "hooks"> & { level: LogLevel; stream?: DestinationStream }) | boolean): Pick<FastifyServerOptions, "logger" | "genReqId" | "requestIdHeader" | "disableRequestLogging" | "logController" | "childLoggerFactory"> {
    return {
      logger,
      // Each request's child logger is made when it first logs (usually never at `info`).
      ...(logger === false ? {} : { childLoggerFactory: lazyChildLogger }),
      requestIdHeader: false,
      genReqId: (req) => requestIdOf(req.headers["x-request-id"]),
      ...quietRequests,
    };
  }

  /**
   * The job engine's observer: metrics, and one `info` line per job when it ends (every job ends,
   * at its `timeoutMs` at the latest), with what it was and how it went. `job submitted` lines are
   * `debug`: two lines per job cost a small job a fifth of its main-thread CPU.
   */
  readonly onEvent = (event: JobEngineEvent): void => {
    this.metrics?.observeJob(event);
    const log = this.#log;
    if (!log || (event.type !== "submitted" && event.type !== "finished")) return;
    if (event.type === "submitted" && !isDebug(log)) return;
    const { job } = event;
    const { progress } = job;
    // One literal per line: pino leaves out the fields that are undefined.
    if (event.type === "submitted") {
      log.debug({ reqId: event.requestId, jobId: job.id, kind: job.kind, function: job.function, reducer: job.reducer, totalItems: progress.totalItems, totalChunks: progress.totalChunks }, "job submitted");
    } else {
      log.info(
        {
          reqId: event.requestId,
          jobId: job.id,
          kind: job.kind,
          function: job.function,
          reducer: job.reducer,
          totalItems: progress.totalItems,
          totalChunks: progress.totalChunks,
          status: job.status,
          durationMs: Math.round(event.durationMs),
          errorCode: job.error?.code,
        },
        "job finished",
      );
    }
  };

  /**
   * Hooks into the app, first of all its hooks (so even a 401 carries the id): `X-Request-Id` on
   * every response, one `debug` line per answered request, request durations, and `GET /metrics`.
   */
  attach(app: FastifyInstance, engine: JobService, executor: Executor): void {
    this.#log = app.log;
    // Callback hooks, not async ones: they run on every request, and a promise per request costs.
    app.addHook("onRequest", (request, reply, done) => {
      void reply.header("x-request-id", request.id);
      done();
    });
    const metrics = this.metrics;
    app.addHook("onResponse", (request, reply, done) => {
      const route = request.routeOptions.url ?? "unmatched";
      metrics?.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      // The line's object is only built when `debug` is on: this runs on every request.
      if (isDebug(request.log)) request.log.debug({ method: request.method, url: request.url, route, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime * 10) / 10 }, "request completed");
      done();
    });
    if (!metrics) return;
    const pool = (executor as { stats?: () => PoolStats }).stats;
    metrics.watch({
      jobs: () => engine.counts(),
      store: () => engine.storeUsage(),
      ...(typeof pool === "function" ? { pool: () => pool.call(executor) } : {}),
    });
    app.get("/metrics", async (_request, reply) => {
      const text = await metrics.exposition();
      return reply.type(metrics.contentType).send(text);
    });
  }
}
