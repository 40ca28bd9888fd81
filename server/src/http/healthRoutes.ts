import type { FastifyInstance } from "fastify";
import { redisHealth } from "../distributed/redisHealth.js";
import type { PolybridgeContext } from "./PolybridgeContext.js";
import { fastifyPath, routeSchema } from "./routeSchema.js";

/** `GET /v1/health`. */
export function healthRoutes(app: FastifyInstance, ctx: PolybridgeContext): void {
  const started = performance.now();
  app.get(fastifyPath("getHealth"), { schema: routeSchema("getHealth") }, async () => ({
    status: ctx.engine.draining ? "draining" : "ok",
    version: ctx.version,
    uptimeSeconds: Math.round(performance.now() - started) / 1000,
    workers: ctx.executor.parallelism,
    jobs: ctx.engine.counts(),
    ...redisHealth(ctx.executor),
  }));
}
