import { readFileSync } from "node:fs";
import { specWithServer, yamlWithServer } from "@polybridge/core";
import { loadSpec, specPath } from "@polybridge/spec";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { fastifyPath } from "./routeSchema.js";

// A Host header worth echoing into the document: a name or IPv4 address, or a bracketed IPv6 one, and a port.
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The server's own URL as a client reached it: scheme and `Host` of the request, or the listening
 * address when the request has no usable `Host` (an HTTP/1.0 client, an odd value).
 */
export function ownUrl(request: FastifyRequest): string {
  const host = request.headers.host;
  if (host !== undefined && HOST.test(host)) return `${request.protocol}://${host}`;
  const address = request.server.server.address();
  if (address === null || typeof address === "string") return `${request.protocol}://127.0.0.1`;
  const name = address.family === "IPv6" || address.address.includes(":") ? `[${address.address}]` : address.address;
  return `${request.protocol}://${name}:${address.port}`;
}

/** A small cache of rendered documents by server URL (a server is reached under few names). */
function cached(render: (url: string) => string): (url: string) => string {
  const byUrl = new Map<string, string>();
  return (url) => {
    let text = byUrl.get(url);
    if (text === undefined) {
      text = render(url);
      if (byUrl.size >= 16) byUrl.delete(byUrl.keys().next().value as string);
      byUrl.set(url, text);
    }
    return text;
  };
}

/**
 * `GET /v1/openapi.json` and `GET /v1/openapi.yaml`: the contract as loaded (spec/openapi.yaml,
 * comments kept in the YAML), with `servers` set to this server's URL.
 */
export function metaRoutes(app: FastifyInstance): void {
  const document = loadSpec();
  const yamlText = readFileSync(specPath, "utf8");
  const json = cached((url) => JSON.stringify(specWithServer(document, url)));
  const yaml = cached((url) => yamlWithServer(yamlText, url));
  app.get(fastifyPath("getOpenApiJson"), async (request, reply) =>
    reply.type("application/json; charset=utf-8").send(json(ownUrl(request))),
  );
  app.get(fastifyPath("getOpenApiYaml"), async (request, reply) =>
    reply.type("application/yaml; charset=utf-8").send(yaml(ownUrl(request))),
  );
}
