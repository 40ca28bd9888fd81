import { sseFrame as frame, type EventLog } from "@polybridge/core/engine";

/**
 * A job's Server-Sent Events as a `text/event-stream` body, framed like the reference server:
 * the logged events after `lastEventId`, then live ones, `: heartbeat` comments every
 * `heartbeatMs` while nothing happens, closed after the terminal status. A finished job's log
 * is replayed and the stream closes at once.
 *
 * @example
 * new Response(jobEventStream(engine.events(id), 0, 15_000, request.signal), {
 *   headers: { "content-type": "text/event-stream; charset=utf-8" } });
 */
export function jobEventStream(log: EventLog, lastEventId: number, heartbeatMs: number, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let stop = (): void => undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const backlog = log.since(lastEventId).map(frame).join("");
      if (backlog) controller.enqueue(encoder.encode(backlog));
      if (log.closed) {
        controller.close();
        return;
      }
      let open = true;
      const heartbeat = setInterval(() => controller.enqueue(encoder.encode(": heartbeat\n\n")), heartbeatMs);
      const unsubscribe = log.subscribe((event) => {
        if (event !== null) return controller.enqueue(encoder.encode(frame(event)));
        stop();
        controller.close();
      });
      stop = () => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        unsubscribe();
      };
      // The client went away: stop writing (the reader's cancel() covers the other way out).
      signal?.addEventListener("abort", () => stop(), { once: true });
    },
    cancel() {
      stop();
    },
  });
}
