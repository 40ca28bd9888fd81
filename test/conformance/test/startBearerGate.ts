import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { clientErrorHandler } from "@polybridge/server";

/** A running gate: its URL, every request it refused, and how to stop it. */
export interface BearerGate {
  url: string;
  /** `METHOD path` of each request refused with 401, in order. */
  refused: string[];
  close(): Promise<void>;
}

const problem = (detail: string) =>
  JSON.stringify({ type: "https://polybridge.dev/problems/unauthorized", title: "Authentication required", status: 401, code: "unauthorized", detail });

/**
 * A proxy in front of a server without auth that answers like a server started with `token`
 * (one tenant): `GET /v1/health` and the contract (`/v1/openapi.json`, `.yaml`) are open, every other request needs `Authorization: Bearer
 * <token>` and is refused with 401 before its body is read. Behind it the runner's token mode can
 * be tested before every stack has auth: a request that went out without the token fails its case.
 */
export async function startBearerGate(upstream: string, token: string): Promise<BearerGate> {
  const target = new URL(upstream);
  const refused: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const open = (req.method === "GET" || req.method === "HEAD") && /^\/v1\/(health|openapi\.(json|yaml))$/.test(path.split("?")[0] ?? "");
    const credentials = req.headers.authorization;
    const match = /^bearer\s+(\S+)\s*$/i.exec(credentials ?? "");
    if (!open && match?.[1] !== token) {
      refused.push(`${req.method} ${path}`);
      const challenge = credentials === undefined ? 'Bearer realm="polybridge"' : 'Bearer realm="polybridge", error="invalid_token"';
      res.writeHead(401, { "content-type": "application/problem+json", "www-authenticate": challenge, connection: "close" });
      res.end(problem(credentials === undefined ? "No bearer token." : "The bearer token is not valid."));
      return;
    }
    // The body is read whole before it goes on, as startBrokenProxy does, so an early answer
    // upstream (413) cannot cut the client's upload short.
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const up = request({ host: target.hostname, port: target.port, method: req.method, path, headers: { ...req.headers, host: target.host } }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        res.on("close", () => upRes.destroy());
      });
      up.on("error", () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  // Bytes the gate's parser rejects never reach upstream: the gate answers them as the server would.
  server.on("clientError", clientErrorHandler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
