import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { clientErrorHandler } from "@polybridge/server";
import { getResponse, type RequestHandler } from "msw";

/** A running adapter: its base URL and how to stop it. */
export interface ServedHandlers {
  url: string;
  close(): Promise<void>;
}

async function toRequest(req: IncomingMessage, base: string, signal: AbortSignal): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = req.method ?? "GET";
  let body: ArrayBuffer | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const all = Buffer.concat(chunks);
    body = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  }
  return new Request(new URL(req.url ?? "/", base), { method, headers, signal, ...(body ? { body } : {}) });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  // HttpResponse.error(): no HTTP answer at all, as a dropped connection.
  if (response.type === "error") {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.once("close", () => void reader.cancel().catch(() => undefined));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}

/**
 * Serves msw handlers over real HTTP, so tools that speak HTTP (the conformance runner) can
 * test them: each request becomes a Fetch `Request`, msw's `getResponse` answers it, and the
 * `Response` is streamed back (SSE included). The request's signal aborts when the client leaves.
 *
 * @example
 * const served = await serveHandlers(createHandlers({ baseUrl: "http://mock.test" }).handlers, "http://mock.test");
 * await runConformance({ url: served.url });
 */
export async function serveHandlers(handlers: RequestHandler[], base: string): Promise<ServedHandlers> {
  const server = createServer((req, res) => {
    const controller = new AbortController();
    res.once("close", () => controller.abort());
    void (async () => {
      try {
        const response = await getResponse(handlers, await toRequest(req, base, controller.signal));
        if (response) await send(res, response);
        else res.writeHead(501, { "content-type": "text/plain" }).end(`no msw handler for ${req.method} ${req.url}`);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(error instanceof Error ? error.stack : String(error));
      }
    })();
  });
  // msw sees parsed Requests only; what Node's parser rejects is answered as every polybridge
  // server answers it (docs/PROTOCOL.md): problem+json, Connection: close, then the socket closes.
  server.on("clientError", clientErrorHandler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
