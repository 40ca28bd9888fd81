import { Pool } from "undici";
import type { Transport, TransportResponse } from "./Transport.js";

/** Options of {@link undiciTransport}. */
export interface UndiciTransportOptions {
  /** Sockets kept open to the server. Default 16. */
  connections?: number;
  /** How long an idle socket stays open. Default 30,000 ms. */
  keepAliveTimeoutMs?: number;
}

/**
 * Node's default transport: one undici `Pool` with keep-alive per client, using `request()`
 * (not `fetch`), the fastest HTTP/1.1 path Node has.
 *
 * @example
 * const transport = undiciTransport("http://127.0.0.1:8080");
 * // …
 * await transport.close();
 */
export function undiciTransport(baseUrl: string, options: UndiciTransportOptions = {}): Transport {
  const origin = new URL(baseUrl).origin;
  const pool = new Pool(origin, {
    connections: options.connections ?? 16,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
  });
  return {
    async send(req) {
      const res = await pool.request({
        method: req.method as "GET",
        path: req.path,
        headers: req.headers,
        body: req.body ?? null,
        // undici's own per-request timers: no extra AbortController or setTimeout per call.
        ...(req.signal ? { signal: req.signal } : {}),
        ...(req.timeoutMs === undefined ? {} : { headersTimeout: Math.max(1, req.timeoutMs), bodyTimeout: Math.max(1, req.timeoutMs) }),
      });
      const headers = res.headers;
      const body = res.body;
      const wrapped: TransportResponse = {
        status: res.statusCode,
        header: (name) => {
          const v = headers[name];
          return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
        },
        text: () => body.text(),
        json: () => body.json(),
        stream: () => body,
        discard: async () => {
          await body.dump().catch(() => undefined);
        },
      };
      return wrapped;
    },
    close: () => pool.close(),
  };
}
