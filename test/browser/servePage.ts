import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A static site on 127.0.0.1 (a secure context, as service workers need). */
export interface ServedPage {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };

/**
 * Serves in-memory files by path; anything else is a plain 404, so a request the service
 * worker failed to answer is visible as such.
 *
 * @example
 * const page = await servePage({ "/": "<script src=/main.js></script>", "/main.js": bundle });
 */
export async function servePage(files: Record<string, string>): Promise<ServedPage> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://page").pathname;
    const body = files[path];
    if (body === undefined) return void res.writeHead(404, { "content-type": "text/plain" }).end(`not served: ${path}`);
    const ext = path === "/" ? ".html" : path.slice(path.lastIndexOf("."));
    res.writeHead(200, { "content-type": TYPES[ext] ?? "application/octet-stream", "cache-control": "no-store" }).end(body);
  });
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
