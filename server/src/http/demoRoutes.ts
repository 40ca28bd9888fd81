import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Options of {@link demoRoutes}. */
export interface DemoRoutesOptions {
  /** Serve the page. Default: on, unless `POLYBRIDGE_DEMO` is `off` (or `0`, `false`, `no`). */
  enabled?: boolean;
  /** Folder of the built page. Default: `dist/demo` of this package (built by the repository's `npm run build`). */
  dir?: string;
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
};

// Everything the page needs comes from this server: no CDN, works offline. ajv (the form's JSON
// Schema validator) compiles schemas to functions, hence 'unsafe-eval' for scripts.
const CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The default folder: `dist/demo` next to the compiled `dist/http` (also when run from `src/`). */
function defaultDir(): string {
  const here = fileURLToPath(new URL("../demo/", import.meta.url));
  return existsSync(here) ? here : fileURLToPath(new URL("../../dist/demo/", import.meta.url));
}

/** Reads the built page into memory: `/` is index.html, every other file is `/demo/<path>`. */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  const walk = (folder: string, prefix: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else {
        const type = TYPES[extname(name)];
        if (!type) continue;
        const body = readFileSync(path);
        const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
        assets.set(prefix === "" && name === "index.html" ? "/" : `/demo/${prefix}${name}`, { body, type, etag });
      }
    }
  };
  walk(dir, "");
  return assets.has("/") ? assets : new Map();
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  void reply
    .header("content-type", asset.type)
    .header("cache-control", "no-cache")
    .header("etag", asset.etag)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer");
  if (asset.type.startsWith("text/html")) void reply.header("content-security-policy", CSP);
  if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
  return reply.code(200).send(asset.body);
}

/**
 * The demo page: `GET /` (index.html) and its assets under `/demo/…`, built from `demo/` of the
 * repository (`npm run build` bundles it with esbuild into this package's `dist/demo`, which the
 * published package ships). Nothing happens when the page was not built or is turned off.
 *
 * The page is open even when the server requires bearer tokens (it asks for one and sends it on
 * its API calls): call this before the auth hook is added. The assets are sent from an `onRequest`
 * hook of their own routes, which fastify runs in the order hooks were added, so the auth hook
 * never sees these requests; every `/v1` route stays behind it.
 *
 * @example
 * const app = Fastify();
 * demoRoutes(app);               // before app.addHook("onRequest", auth)
 * app.addHook("onRequest", auth);
 */
export function demoRoutes(app: FastifyInstance, options: DemoRoutesOptions = {}): void {
  const enabled = options.enabled ?? !/^(0|off|false|no)$/i.test(process.env.POLYBRIDGE_DEMO?.trim() ?? "");
  if (!enabled) return;
  const assets = loadAssets(options.dir ?? defaultDir());
  if (assets.size === 0) return;
  const assetOf = (request: FastifyRequest): Asset | undefined => assets.get(request.url.split("?")[0] ?? "");
  // A callback hook, not an async one: it runs on every request, and a promise per request costs.
  app.addHook("onRequest", (request, reply, done) => {
    const asset = (request.method === "GET" || request.method === "HEAD") && request.routeOptions.config?.demo === true ? assetOf(request) : undefined;
    if (asset) send(request, reply, asset);
    else done();
  });
  // Routes too, so the router (and anything that reports by route) knows them; a missing asset
  // falls through to the server's 404 problem.
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const asset = assetOf(request);
    if (asset) return send(request, reply, asset);
    reply.callNotFound();
    return reply;
  };
  app.get("/", { config: { demo: true } }, handler);
  app.get("/demo/*", { config: { demo: true } }, handler);
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Set on the demo page's routes. */
    demo?: boolean;
  }
}
