import { fetchTransport } from "./fetchTransport.js";
import type { Transport } from "./Transport.js";
import { undiciTransport, type UndiciTransportOptions } from "./undiciTransport.js";

// The global fetch as it was when the SDK was loaded: Node's own, unless something had already
// replaced it by then.
const fetchAtLoad: typeof globalThis.fetch | undefined = globalThis.fetch;
// Where @mswjs/interceptors (msw's setupServer) registers its fetch interceptor while it is
// applied: catches an msw server started before the SDK was loaded (a setup file's top level).
const MSW_FETCH_INTERCEPTOR = Symbol.for("fetch-interceptor");

/**
 * True when requests should go through `globalThis.fetch`: it is no longer the function it was
 * when the SDK was loaded (a request interceptor such as msw's `setupServer` or nock 14, a test's
 * own stub, or a polyfill has taken it over), or msw's fetch interceptor is applied right now.
 */
export function globalFetchReplaced(): boolean {
  const current = globalThis.fetch;
  if (typeof current !== "function") return false;
  return current !== fetchAtLoad || (globalThis as Record<symbol, unknown>)[MSW_FETCH_INTERCEPTOR] !== undefined;
}

/**
 * The Node entry's default transport: undici's keep-alive pool (`undiciTransport`), except that
 * while `globalThis.fetch` has been replaced since the SDK was loaded — msw's `setupServer`
 * between `listen()` and `close()`, for instance — each request goes through `globalThis.fetch`
 * instead, so whatever intercepts fetch sees the SDK's requests whichever entry an app imports.
 * Decided per request: restoring fetch (msw's `server.close()`) brings back the undici path.
 *
 * @example
 * const transport = nodeTransport("http://127.0.0.1:8080");
 * // msw's server.listen() in a test: requests now reach its handlers
 * await transport.close();
 */
export function nodeTransport(baseUrl: string, options: UndiciTransportOptions = {}): Transport {
  let pool: Transport | undefined;
  // Looked up at send time, so the fetch in place now is the one that sends.
  const viaGlobalFetch = fetchTransport((input, init) => globalThis.fetch(input, init));
  return {
    send(req) {
      if (globalFetchReplaced()) return viaGlobalFetch.send(req);
      pool ??= undiciTransport(baseUrl, options);
      return pool.send(req);
    },
    close: async () => {
      await pool?.close();
    },
  };
}
