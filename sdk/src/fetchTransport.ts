import type { Transport, TransportResponse } from "./Transport.js";

/**
 * A transport over the Fetch API: the browser default, and what `createClient({ fetch })` uses
 * in any runtime (e.g. an injected mock in tests).
 *
 * @example
 * const transport = fetchTransport(globalThis.fetch);
 */
export function fetchTransport(fetchImpl: typeof globalThis.fetch): Transport {
  return {
    async send(req) {
      if (req.timeoutMs === undefined) {
        return wrap(await fetchImpl(req.url, { method: req.method, headers: req.headers, body: req.body ?? null, signal: req.signal ?? null }), () => undefined);
      }
      // fetch has no timeout option: one controller for the caller's signal and the time left.
      const controller = new AbortController();
      const onAbort = (): void => controller.abort(req.signal?.reason);
      const timer = setTimeout(() => controller.abort(new DOMException("timeout", "TimeoutError")), Math.max(1, req.timeoutMs));
      if (req.signal?.aborted) onAbort();
      else req.signal?.addEventListener("abort", onAbort, { once: true });
      const done = (): void => {
        clearTimeout(timer);
        req.signal?.removeEventListener("abort", onAbort);
      };
      try {
        return wrap(await fetchImpl(req.url, { method: req.method, headers: req.headers, body: req.body ?? null, signal: controller.signal }), done);
      } catch (e) {
        done();
        throw e;
      }
    },
    async close() {},
  };
}

/** `done` releases the attempt's timer once the body has been read (or dropped). */
function wrap(res: Response, done: () => void): TransportResponse {
  return {
    status: res.status,
    header: (name) => res.headers.get(name),
    text: () => res.text().finally(done),
    json: () => (res.json() as Promise<unknown>).finally(done),
    stream: () => readChunks(res, done),
    discard: async () => {
      await res.body?.cancel().catch(() => undefined);
      done();
    },
  };
}

// ReadableStream is not async-iterable in every browser (Safari), so read it by hand.
async function* readChunks(res: Response, done: () => void): AsyncIterable<Uint8Array> {
  const body = res.body;
  if (!body) return done();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
    done();
  }
}
