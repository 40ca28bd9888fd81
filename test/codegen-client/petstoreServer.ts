import Fastify, { type FastifyInstance } from "fastify";

/** What the test server saw: one line per request (`GET /api/pets?limit=2`) with its headers. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Knobs a test turns on the petstore server. */
export interface PetstoreControls {
  seen: SeenRequest[];
  /** Answer the next N requests `503` with `Retry-After: 0`. */
  failNext: number;
  /** Answer `GET /api/pets/{id}` with a body that breaks the spec (`name` a number). */
  breakPets: boolean;
  /** Delay every answer this long. */
  delayMs: number;
}

/**
 * The Swagger petstore-expanded API (codegen/test/fixtures/petstore-expanded.yaml) implemented
 * with fastify under `/api`, in memory: findPets (tags, limit), addPet, find pet by id (404 with
 * the spec's Error body), deletePet (204). Plus the things API (test/fixtures/specs/things.yaml)
 * under `/things-api`, which answers 401 unless each operation's credentials arrived as the spec
 * says. Loopback only.
 */
export async function startPetstore(): Promise<{ url: string; controls: PetstoreControls; close(): Promise<void> }> {
  const controls: PetstoreControls = { seen: [], failNext: 0, breakPets: false, delayMs: 0 };
  const app: FastifyInstance = Fastify({ logger: false });
  const pets = new Map<number, { id: number; name: string; tag?: string }>();
  let nextId = 1;
  app.addHook("onRequest", async (req, reply) => {
    controls.seen.push({ method: req.method, url: req.url, headers: { ...req.headers } });
    if (controls.delayMs > 0) await new Promise((r) => setTimeout(r, controls.delayMs));
    if (controls.failNext > 0) {
      controls.failNext -= 1;
      return reply.code(503).header("retry-after", "0").send({ code: 503, message: "try again" });
    }
  });
  app.get("/api/pets", async (req) => {
    const query = req.query as { tags?: string | string[]; limit?: string };
    const tags = query.tags === undefined ? undefined : [query.tags].flat();
    const all = [...pets.values()].filter((p) => !tags || (p.tag !== undefined && tags.includes(p.tag)));
    return query.limit === undefined ? all : all.slice(0, Number(query.limit));
  });
  app.post("/api/pets", async (req, reply) => {
    const body = req.body as { name?: unknown; tag?: unknown };
    if (typeof body?.name !== "string") return reply.code(400).send({ code: 400, message: "name is required" });
    const pet = { id: nextId++, name: body.name, ...(typeof body.tag === "string" ? { tag: body.tag } : {}) };
    pets.set(pet.id, pet);
    return pet;
  });
  app.get("/api/pets/:id", async (req, reply) => {
    const pet = pets.get(Number((req.params as { id: string }).id));
    if (!pet) return reply.code(404).send({ code: 404, message: "no such pet" });
    return controls.breakPets ? { ...pet, name: 5 } : pet;
  });
  app.delete("/api/pets/:id", async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    if (!pets.delete(id)) return reply.code(404).send({ code: 404, message: "no such pet" });
    return reply.code(204).send();
  });

  const problem = (status: number, title: string) => ({ title, status });
  const unauthorized = (reply: { code(n: number): { type(t: string): { send(b: unknown): unknown } } }) =>
    reply.code(401).type("application/problem+json").send(problem(401, "unauthorized"));
  app.get("/things-api/things", async (req, reply) => {
    if (req.headers.authorization !== "Bearer t0k3n") return unauthorized(reply);
    const status = (req.query as { status?: string }).status;
    return [{ id: 1, name: "lamp", status: status ?? "new", tags: ["red"] }];
  });
  app.post("/things-api/things", async (req, reply) => {
    if ((req.query as { api_key?: string }).api_key !== "qk") return unauthorized(reply);
    const body = req.body as { name: string };
    if (body.name === "bad") return reply.code(422).type("application/problem+json").send({ ...problem(422, "invalid thing"), detail: "bad is not a name" });
    return reply.code(201).send({ ...body, id: 2, status: "new" });
  });
  app.get("/things-api/things/:id", async (req, reply) => {
    const ok = req.headers["x-api-key"] === "hk" || req.headers.authorization === `Basic ${Buffer.from("ann:pw").toString("base64")}`;
    if (!ok) return unauthorized(reply);
    return { id: Number((req.params as { id: string }).id), name: "lamp", status: "used" };
  });
  app.delete("/things-api/things/:id", async (req, reply) => {
    if (req.headers.authorization !== "Bearer t0k3n") return unauthorized(reply);
    if (typeof req.headers["x-reason"] !== "string") return reply.code(400).type("application/problem+json").send(problem(400, "X-Reason missing"));
    return reply.code(204).send();
  });
  app.get("/things-api/open/tree", async () => ({ name: "root", children: [{ name: "leaf", children: [] }] }));

  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, controls, close: () => app.close() };
}
