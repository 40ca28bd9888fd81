// A job's Server-Sent Events read whole: the protocol says the server closes the stream after
// the terminal status, so reading to the end is itself a check of that.

/** What {@link readEventStream} read. */
export interface EventStreamText {
  status: number;
  contentType: string | null;
  /** The raw stream (`id:`/`event:`/`data:` lines and `: heartbeat` comments). */
  text: string;
}

/**
 * GETs an event stream and reads it until the server closes it; rejects after `timeoutMs`.
 *
 * @example
 * const stream = await readEventStream(`${url}/v1/jobs/${id}/events`, 20_000);
 * expect(stream.text).toContain("event: result");
 */
export async function readEventStream(url: string, timeoutMs: number): Promise<EventStreamText> {
  const res = await fetch(url, { headers: { accept: "text/event-stream" }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, contentType: res.headers.get("content-type"), text: await res.text() };
}
