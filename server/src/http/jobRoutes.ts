import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { JobRequest, JobStatus } from "@polybridge/spec";
import type { FastifyInstance } from "fastify";
import { isTerminal } from "../engine/JobEngine.js";
import { bodyFingerprint, parsePrefer } from "@polybridge/core";
import { tenantOf } from "./bearerAuth.js";

import type { PolybridgeContext } from "./PolybridgeContext.js";
import { fastifyPath, routeSchema } from "./routeSchema.js";

type IdParams = { Params: { id: string } };

/** Wait answers up to this many characters are joined into one string; longer ones are streamed. */
const STREAM_ABOVE_CHARS = 64 * 1024;

/** Same body, key order ignored → same fingerprint; hashed, so a kept key costs 43 bytes, not the body. */
function fingerprint(body: unknown): string {
  return createHash("sha256").update(bodyFingerprint(body)).digest("base64url");
}

/** Submit, list, get, cancel and result of jobs. */
export function jobRoutes(app: FastifyInstance, ctx: PolybridgeContext): void {
  const { engine } = ctx;

  app.post<{ Body: JobRequest; Headers: { prefer?: string; "idempotency-key"?: string } }>(
    fastifyPath("submitJob"),
    { schema: routeSchema("submitJob") },
    async (request, reply) => {
      const prefer = parsePrefer(request.headers.prefer, ctx.maxWaitSeconds);
      const key = request.headers["idempotency-key"];
      const tenant = tenantOf(request);
      const submitted = await engine.submit(request.body, key === undefined ? undefined : { key, fingerprint: fingerprint(request.body) }, tenant, undefined, { requestId: request.id });
      const { replayed } = submitted;
      // The in-memory engine's job is live (wait returns it); a Redis-backed one is read again.
      const job = prefer.waitSeconds === undefined ? submitted.job : await engine.wait(submitted.job.id, prefer.waitSeconds * 1000, tenant);
      void reply.header("location", job.links.self);
      if (prefer.waitSeconds !== undefined) void reply.header("preference-applied", `wait=${prefer.waitSeconds}`);
      else if (prefer.respondAsync) void reply.header("preference-applied", "respond-async");
      if (replayed) void reply.header("idempotent-replayed", "true");
      if (isTerminal(job.status)) {
        const pieces = await engine.jobWithResultJson(job.id, tenant);
        if (pieces === undefined) return reply.code(200).send(job);
        // A small answer is sent as one string (a stream per answer costs more than the copy);
        // a big result is streamed between the job's JSON pieces, never copied into one string.
        const chars = pieces.reduce((n, piece) => n + piece.length, 0);
        if (chars <= STREAM_ABOVE_CHARS) return reply.code(200).type("application/json").send(pieces.join(""));
        const length = pieces.reduce((n, piece) => n + Buffer.byteLength(piece), 0);
        return reply.code(200).type("application/json").header("content-length", length).send(Readable.from(pieces, { objectMode: false }));
      }
      return reply.code(202).header("retry-after", "1").send(job);
    },
  );

  app.get<{ Querystring: { status?: JobStatus; limit?: number; cursor?: string } }>(
    fastifyPath("listJobs"),
    { schema: routeSchema("listJobs") },
    async (request) => engine.list(request.query, tenantOf(request)),
  );

  app.get<IdParams>(fastifyPath("getJob"), { schema: routeSchema("getJob") }, async (request, reply) => {
    const job = await engine.get(request.params.id, tenantOf(request));
    if (!isTerminal(job.status)) void reply.header("retry-after", "1");
    return job;
  });

  app.delete<IdParams>(fastifyPath("cancelJob"), { schema: routeSchema("cancelJob") }, async (request) => engine.cancel(request.params.id, tenantOf(request)));

  // Results are sent as the JSON text stored when the job finished: a million items are not
  // re-serialized per request.
  app.get<IdParams>(fastifyPath("getJobResult"), { schema: routeSchema("getJobResult") }, async (request, reply) =>
    reply.type("application/json").send(await engine.resultJson(request.params.id, tenantOf(request))),
  );
}
