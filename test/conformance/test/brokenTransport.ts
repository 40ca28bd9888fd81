import { undiciTransport, type Transport, type TransportRequest } from "@polybridge/sdk";

/** How a deliberately broken client transport mangles what passes through it. */
export interface ClientBreakage {
  /** Rewrites a request before it goes on the wire. */
  request?: (req: TransportRequest) => TransportRequest;
  /** Rewrites a decoded JSON answer before the SDK sees it. */
  json?: (req: TransportRequest, body: unknown) => unknown;
}

/**
 * The SDK's own undici transport with a bug put in on purpose, so a test can show that SDK mode
 * fails the cases a client bug breaks while HTTP mode, against the same server, does not.
 *
 * @example
 * const transport = brokenTransport(url, { request: (req) => ({ ...req, headers: {} }) });
 */
export function brokenTransport(baseUrl: string, breakage: ClientBreakage): Transport {
  const inner = undiciTransport(baseUrl);
  return {
    async send(original) {
      const req = breakage.request ? breakage.request(original) : original;
      const res = await inner.send(req);
      const rewrite = breakage.json;
      if (!rewrite) return res;
      return {
        status: res.status,
        header: (name) => res.header(name),
        text: () => res.text(),
        json: async () => rewrite(req, await res.json()),
        stream: () => res.stream(),
        discard: () => res.discard(),
      };
    },
    close: () => inner.close(),
  };
}
