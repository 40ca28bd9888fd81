import { createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** A JSON response as the proxy sees it; return a replacement to break the server on purpose. */
export interface Tamper {
  json?: (req: { method: string; path: string }, res: { status: number; body: unknown }) => { status: number; body: unknown } | undefined;
  /** Rewrites each chunk of an event stream as it passes. */
  sse?: (chunk: string) => string;
}

/**
 * A tiny HTTP proxy in front of a real server that can rewrite JSON answers and event streams,
 * so a test can make chosen conformance cases fail.
 */
export async function startBrokenProxy(upstream: string, tamper: Tamper): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (upRes) => {
          const headers: IncomingHttpHeaders = { ...upRes.headers };
          if (String(headers["content-type"]).startsWith("text/event-stream")) {
            res.writeHead(upRes.statusCode ?? 502, headers);
            upRes.setEncoding("utf8");
            upRes.on("data", (text: string) => res.write(tamper.sse ? tamper.sse(text) : text));
            upRes.on("end", () => res.end());
            res.on("close", () => upRes.destroy());
            return;
          }
          const body: Buffer[] = [];
          upRes.on("data", (c: Buffer) => body.push(c));
          upRes.on("end", () => {
            let out = Buffer.concat(body);
            let status = upRes.statusCode ?? 502;
            if (/json/.test(String(headers["content-type"])) && tamper.json) {
              const changed = tamper.json({ method: req.method ?? "GET", path: req.url ?? "/" }, { status, body: JSON.parse(out.toString("utf8")) as unknown });
              if (changed) {
                status = changed.status;
                out = Buffer.from(JSON.stringify(changed.body));
              }
            }
            delete headers["transfer-encoding"];
            headers["content-length"] = String(out.length);
            res.writeHead(status, headers);
            res.end(out);
          });
        },
      );
      up.on("error", () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
