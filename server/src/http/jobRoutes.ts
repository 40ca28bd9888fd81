import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { JobRequest, JobStatus } from "@polybridge/spec";
import type { FastifyInstance, FastifyReply } from "fastify";
import { isTerminal } from "../engine/JobEngine.js";
import { bodyFingerprint, parsePrefer } from "@polybridge/core";
import { tenantOf } from "./bearerAuth.js";

import type { PolybridgeContext } from "./PolybridgeContext.js";
import { fastifyPath, routeSchema } from "./routeSchema.js";

type IdParams = { Params: { id: string } };

/** Wait answers up to this many characters are joined into one string; longer ones are streamed. */
const STREAM_ABOVE_CHARS = 64 * 1024;

/**
 * Sends JSON text given in pieces: a small answer as one string (a stream per answer costs more
 * than the copy), a big one streamed piece by piece, never copied into one string, so a 10^7-item
 * result is held once (its pieces) and the socket sees one piece's bytes at a time.
 */
function sendJsonPieces(reply: FastifyReply, pieces: readonly string[]): FastifyReply {
  let chars = 0;
  for (const piece of pieces) chars += piece.length;
  void reply.code(200).type("application/json; charset=utf-8");
  if (chars <= STREAM_ABOVE_CHARS) return reply.send(pieces.length === 1 ? pieces[0] : pieces.join(""));
  let length = 0;
  for (const piece of pieces) length += Buffer.byteLength(piece);
  // A string stream (encoding set) hands each piece to the socket as a string, encoded into memory
  // freed as soon as it is written; Buffers would linger until a GC notices them.
  return reply.header("content-length", length).send(Readable.from(pieces, { objectMode: false, encoding: "utf8" }));
}

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
        return pieces === undefined ? reply.code(200).send(job) : sendJsonPieces(reply, pieces);
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
    sendJsonPieces(reply, await engine.resultPieces(request.params.id, tenantOf(request))),
  );
}
