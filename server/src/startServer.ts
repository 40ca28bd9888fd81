import { readFileSync } from "node:fs";
import Fastify, { type FastifyInstance } from "fastify";
import type { Executor } from "./engine/Executor.js";
import { JobEngine, type JobEngineOptions } from "./engine/JobEngine.js";
import { LocalExecutor } from "./engine/LocalExecutor.js";
import { builtinsModule, type FunctionRegistry } from "./functions/FunctionRegistry.js";
import { loadRegistry } from "./functions/loadRegistry.js";
import { errorHandler, notFoundHandler } from "./http/errorHandler.js";
import { polybridgePlugin } from "./http/polybridgePlugin.js";

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
  /** fastify's logger (pino). Default off. */
  logger?: boolean;
  /** Registers extra routes in the protocol's scope (parsing, validation, problem errors). */
  configure?: (app: FastifyInstance) => void | Promise<void>;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port` with the real port. */
  url: string;
  port: number;
  app: FastifyInstance;
  engine: JobEngine;
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
  const engine = new JobEngine({ ...options, executor, registry });
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    forceCloseConnections: "idle",
    // Long ids must reach the route so its schema answers 400, not the router's bare 414.
    routerOptions: { maxParamLength: 1_000 },
    // Router-level errors (bad percent-encoding) leave as problems like every other error.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
  });
  app.setNotFoundHandler(notFoundHandler);
  await app.register(polybridgePlugin, {
    engine,
    executor,
    registry,
    version,
    heartbeatMs: options.heartbeatMs ?? Number(process.env.POLYBRIDGE_HEARTBEAT_MS ?? 15_000),
    callTimeoutMs: options.callTimeoutMs ?? 60_000,
    maxWaitSeconds: options.maxWaitSeconds ?? 60,
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
      })();
      return closing;
    },
  };
}
