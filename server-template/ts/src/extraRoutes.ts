import { ProblemError, type RunningServer } from "@polybridge/server";

// Support for operations your copy of the spec adds beyond the polybridge protocol:
// `polybridge generate server --spec openapi.yaml --out .` writes their route table into
// src/gen/routes.ts and a handler per operation into src/handlers/. This file stays as is.

type App = RunningServer["app"];

/** What a handler receives; src/gen/routes.ts narrows each member to the operation's types. */
export interface ExtraRequest<Params = unknown, Query = unknown, Body = unknown> {
  params: Params;
  query: Query;
  body: Body;
  headers: Record<string, string | string[] | undefined>;
}

/** JSON Schemas fastify validates a request against before the handler runs. */
export interface ExtraRouteSchema {
  params?: object;
  querystring?: object;
  body?: object;
}

/** One extra operation: where it is served and who handles it. */
export interface ExtraRoute {
  operationId: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
  /** fastify URL: `/v1/stats/:id` for the spec's `/v1/stats/{id}`. */
  url: string;
  /** Status of a successful answer (the operation's first 2xx response). */
  successStatus: number;
  schema: ExtraRouteSchema;
  handle(request: ExtraRequest): unknown;
}

/**
 * Thrown by a generated handler until you write it: the protocol's `501 not_implemented` problem.
 *
 * @example
 * throw new NotImplementedError("getStats");
 */
export class NotImplementedError extends ProblemError {
  constructor(readonly operationId: string) {
    super("not_implemented", `Operation '${operationId}' is not implemented yet: write it in src/handlers/${operationId}.ts.`);
  }
}

/**
 * Types a route by its operation's request and response (used by src/gen/routes.ts).
 *
 * @example
 * defineRoute<GetStatsRequest, GetStatsResponse>({ operationId: "getStats", method: "GET",
 *   url: "/v1/stats", successStatus: 200, schema: {}, handle: getStats });
 */
export function defineRoute<Req extends ExtraRequest, Res>(
  route: Omit<ExtraRoute, "handle"> & { handle: (request: Req) => Res | Promise<Res> },
): ExtraRoute {
  // fastify has validated params, query and body against the schemas the types were generated
  // from, so the request can be handed over as the handler's type.
  return route as unknown as ExtraRoute;
}

/**
 * Registers the routes in the protocol's scope of the server (`startServer`'s `configure`), so
 * they share its JSON parsing, schema validation and problem+json errors: a `ProblemError`
 * keeps its code, a missing handler is `501 not_implemented`, anything else `500 internal_error`.
 *
 * @example
 * await startServer({ configure: (app) => registerExtraRoutes(app, routes) });
 */
export function registerExtraRoutes(app: App, routes: readonly ExtraRoute[]): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      schema: route.schema,
      handler: async (request, reply) => {
        const result = await route.handle({
          params: request.params,
          query: request.query,
          body: request.body,
          headers: request.headers,
        });
        void reply.code(route.successStatus);
        return result === undefined ? reply.send() : result;
      },
    });
  }
}
