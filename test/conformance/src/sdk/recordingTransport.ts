import type { Transport, TransportResponse } from "@polybridge/sdk";
import type { TraceEntry } from "../formatTrace.js";
import { excerpt } from "../HttpSession.js";
import { sdkReadHeaders } from "./sdkReadHeaders.js";

// What a trace shows of an answer: the headers the SDK reads, plus the ones cases often expect.
const TRACED_HEADERS = [...sdkReadHeaders, "location", "preference-applied"];

/**
 * Wraps the transport the SDK sends through, handing each exchange to `onEntry` as a trace
 * entry: the request as the SDK built it, the status and headers it got back, and the body as
 * the SDK consumed it. The typed API returns bodies, not status lines, so SDK mode reads the
 * status here and cross-checks it with how the SDK settled (resolved, or the error's `status`).
 * `close()` does nothing: the runner owns the inner transport and closes it once.
 *
 * @example
 * const trace: TraceEntry[] = [];
 * const client = createClient({ baseUrl, transport: recordingTransport(undiciTransport(baseUrl), (e) => trace.push(e)) });
 */
export function recordingTransport(inner: Transport, onEntry: (entry: TraceEntry) => void): Transport {
  return {
    async send(req) {
      const entry: TraceEntry = { request: { method: req.method, path: req.path, headers: { ...req.headers }, body: req.body === undefined ? undefined : excerpt(req.body) } };
      onEntry(entry);
      let res: TransportResponse;
      try {
        res = await inner.send(req);
      } catch (error) {
        entry.error = String(error);
        throw error;
      }
      const headers: Record<string, string> = {};
      for (const name of TRACED_HEADERS) {
        const value = res.header(name);
        if (value !== null) headers[name] = value;
      }
      const response = { status: res.status, headers, body: "" };
      entry.response = response;
      return {
        status: res.status,
        header: (name) => res.header(name),
        async text() {
          const text = await res.text();
          response.body = excerpt(text);
          return text;
        },
        async json() {
          const value = await res.json();
          response.body = excerpt(JSON.stringify(value) ?? "");
          return value;
        },
        stream: () => recordStream(res.stream(), response),
        discard: () => res.discard(),
      };
    },
    async close() {},
  };
}

async function* recordStream(chunks: AsyncIterable<Uint8Array>, response: { body: string }): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of chunks) {
    // Keep a little more than an excerpt, so a long stream does not grow the trace without end.
    if (text.length <= 4_000) {
      text += decoder.decode(chunk, { stream: true });
      response.body = excerpt(text);
    }
    yield chunk;
  }
}
