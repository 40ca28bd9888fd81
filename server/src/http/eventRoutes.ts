import type { OutgoingHttpHeaders } from "node:http";
import type { FastifyInstance } from "fastify";
import { sseFrame as frame } from "@polybridge/core/engine";
import { tenantOf } from "./bearerAuth.js";
import type { PolybridgeContext } from "./PolybridgeContext.js";
import { fastifyPath, routeSchema } from "./routeSchema.js";


/**
 * `GET /v1/jobs/{id}/events`: replay after `Last-Event-ID`, then live events, heartbeats (every
 * `?heartbeatMs=` if the client asks, validated as 100..60000 by the spec's schema, else the
 * server's default), close at the end.
 */
export function eventRoutes(app: FastifyInstance, ctx: PolybridgeContext): void {
  app.get<{ Params: { id: string }; Querystring: { heartbeatMs?: number }; Headers: { "last-event-id"?: string } }>(
    fastifyPath("streamJobEvents"),
    { schema: routeSchema("streamJobEvents") },
    async (request, reply) => {
      const lastId = Number(request.headers["last-event-id"] ?? 0);
      const log = await ctx.engine.events(request.params.id, tenantOf(request), lastId);
      // Headers set by hooks (CORS, rate limits) would be lost by hijacking: they go out with the stream's.
      const hooked = reply.getHeaders() as OutgoingHttpHeaders;
      reply.hijack();
      const res = reply.raw;
      // A client's `Connection: close` is honoured: Node then closes the socket when the stream ends.
      const close = /(?:^|,)\s*close\s*(?:,|$)/i.test(String(request.headers.connection ?? ""));
      res.writeHead(200, {
        ...hooked,
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        connection: close ? "close" : "keep-alive",
        "x-accel-buffering": "no",
      });
      // HEAD (fastify runs this GET handler for it): the stream's headers at once, never a wait for the job.
      if (request.method === "HEAD") {
        res.end();
        return;
      }
      const backlog = log.since(lastId).map(frame).join("");
      if (log.closed) {
        res.end(backlog);
        return;
      }
      if (backlog) res.write(backlog);
      const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), request.query.heartbeatMs ?? ctx.heartbeatMs);
      const stop = (): void => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      const unsubscribe = log.subscribe((event) => {
        if (event === null) {
          stop();
          res.end();
        } else res.write(frame(event));
      });
      request.raw.once("close", stop);
    },
  );
}
