/** One recorded request of {@link scriptedFetch}. */
export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  at: number;
}

type Step = (req: Recorded, signal: AbortSignal | undefined) => Response | Promise<Response>;

/**
 * A fetch that answers from a script, one step per request (the last step repeats), and
 * records what it was sent: the injected transport of the unit tests.
 */
export function scriptedFetch(...steps: Step[]): typeof globalThis.fetch & { calls: Recorded[] } {
  const calls: Recorded[] = [];
  const fn = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const req: Recorded = { method: init.method ?? "GET", url: String(input), headers, body: typeof init.body === "string" ? init.body : undefined, at: Date.now() };
    calls.push(req);
    const step = steps[Math.min(calls.length - 1, steps.length - 1)];
    if (!step) throw new Error("scriptedFetch: no steps");
    if (init.signal?.aborted) throw init.signal.reason;
    return step(req, init.signal ?? undefined);
  };
  return Object.assign(fn, { calls }) as typeof globalThis.fetch & { calls: Recorded[] };
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "content-type": type, ...headers } });
}

/** A problem+json answer with the protocol's shape. */
export function problem(status: number, code: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Response {
  return json(status, { type: `https://polybridge.dev/problems/${code}`, title: code, status, code, ...extra }, headers);
}

/** A fetch failure as undici's fetch reports it. */
export function networkError(): never {
  throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) });
}

/** Never answers; rejects with the signal's reason once aborted. */
export function hang(_req: Recorded, signal: AbortSignal | undefined): Promise<Response> {
  return new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

/** An SSE answer whose body is the given chunks (split anywhere, as networks do). */
export function sse(...chunks: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

/** A job in the shape the contract requires. */
export function job(id: string, status: string, completed = 0, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    kind: "map",
    function: "square",
    status,
    progress: { completedChunks: completed, totalChunks: 2, completedItems: completed, totalItems: 2 },
    options: { chunkSize: 1, concurrency: 2, timeoutMs: 1000 },
    createdAt: "2026-01-01T00:00:00.000Z",
    links: { self: `/v1/jobs/${id}`, result: `/v1/jobs/${id}/result`, events: `/v1/jobs/${id}/events` },
    ...extra,
  };
}
