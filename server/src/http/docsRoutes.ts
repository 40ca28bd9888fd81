import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { specWithServer } from "@polybridge/core";
import { loadSpec } from "@polybridge/spec";
import type { FastifyInstance } from "fastify";
import { ownUrl } from "./metaRoutes.js";

/**
 * The interactive API reference at `/docs`: Swagger UI (`@fastify/swagger-ui`), whose assets ship
 * in the package and are served from `/docs/static/` (no CDN: it works offline). The page reads the
 * contract from `GET /v1/openapi.json`; `@fastify/swagger` in static mode holds the same document
 * for the plugin's own `/docs/json`.
 *
 * @example
 * await app.register(docsRoutes); // GET /docs → the reference
 */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(swagger, { mode: "static", specification: { document: loadSpec() as never } });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    // `urls` makes Swagger UI load the protocol's own route instead of the plugin's `./json`.
    uiConfig: { urls: [{ url: "/v1/openapi.json", name: "polybridge" }], deepLinking: true, displayOperationId: true, tryItOutEnabled: false },
    validatorUrl: false,
    transformSpecification: (document, request) => specWithServer(document, ownUrl(request)),
    transformSpecificationClone: true,
  });
}
