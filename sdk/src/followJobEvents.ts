import { createParser, type EventSourceMessage } from "eventsource-parser";
import { Deadline, sleep } from "./runtime/Deadline.js";
import { polybridgeErrors } from "./polybridgeErrors.js";
import { getJob, getJobResult } from "./gen/client.js";
import { PolybridgeError } from "./PolybridgeError.js";
import { loadValidator, type ClientCore } from "./ClientCore.js";
import { parseRetryAfter } from "./retryPolicy.js";
import type { Job, JobEvent, Problem } from "./schemaTypes.js";

/** Options of `jobs.events()`. */
export interface JobEventsOptions {
  signal?: AbortSignal;
  /** Resume after this event id (as sent in the `id` of an earlier event). */
  lastEventId?: string;
  /** Stream reconnects (with `Last-Event-ID`) before falling back to polling. Default 3. */
  maxReconnects?: number;
  /** Poll interval when the server sends no `Retry-After`. Default 1,000 ms. */
  pollIntervalMs?: number;
  /** Ask the server for `: heartbeat` comments every this many ms (100..60,000) instead of its default. */
  heartbeatMs?: number;
}

const TERMINAL = new Set(["successful", "failed", "dismissed"]);

/** True for `successful`, `failed` and `dismissed`. */
export function isTerminal(job: Pick<Job, "status">): boolean {
  return TERMINAL.has(job.status);
}

/**
 * Follows a job: reads `GET /v1/jobs/{id}/events` as Server-Sent Events; when the stream drops
 * it reconnects with `Last-Event-ID` (the server replays what was missed); when streaming keeps
 * failing (or a proxy strips it) it falls back to polling `GET /v1/jobs/{id}`, honouring
 * `Retry-After`, and synthesises the same events (without ids). Ends after the terminal
 * `status` event.
 */
export async function* followJobEvents(core: ClientCore, jobId: string, options: JobEventsOptions = {}): AsyncGenerator<JobEvent, void, undefined> {
  let lastEventId = options.lastEventId;
  let failures = 0;
  let reconnectDelayMs = 250;
  const maxReconnects = options.maxReconnects ?? 3;
  const validate = core.settings.validate !== "off";
  while (failures <= maxReconnects) {
    const deadline = new Deadline(options.signal, undefined, polybridgeErrors);
    let streamed = false;
    try {
      const headers = lastEventId === undefined ? undefined : { "Last-Event-ID": lastEventId };
      const query = options.heartbeatMs === undefined ? undefined : { heartbeatMs: options.heartbeatMs };
      const res = await core.open("streamJobEvents", { path: { id: jobId }, query, headers }, options.signal, "text/event-stream");
      if (!(res.header("content-type") ?? "").includes("text/event-stream")) {
        await res.discard();
        break; // Something in between does not speak SSE: poll instead.
      }
      for await (const message of parseEventStream(res.stream(), (ms) => (reconnectDelayMs = ms))) {
        const event = toJobEvent(message);
        if (!event) continue;
        streamed = true;
        if (event.id !== undefined) lastEventId = event.id;
        if (validate) await core.checkDrift((await loadValidator()).validateJobEvent(event));
        yield event;
        if (event.event === "status" && isTerminal(event.data)) return;
      }
      // The server closes a stream only after the terminal status; resuming past it replays
      // nothing and closes at once, which means the job already ended, not that streaming failed.
      if (!streamed && lastEventId !== undefined) return;
    } catch (e) {
      const err = PolybridgeError.from(deadline.error(e) ?? e);
      // Reconnect only after transient failures (network, 5xx, a stream cut mid-way).
      if (!err.retryable && err.code !== "unknown") throw err;
    }
    failures = streamed ? 1 : failures + 1;
    if (failures > maxReconnects) break;
    await sleep(reconnectDelayMs, deadline);
  }
  yield* pollJobEvents(core, jobId, options);
}

/** Decodes an SSE byte stream into messages (eventsource-parser does the line protocol). */
async function* parseEventStream(chunks: AsyncIterable<Uint8Array>, onRetry: (ms: number) => void): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (m) => queue.push(m), onRetry });
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (queue.length > 0) yield queue.shift() as EventSourceMessage;
  }
}

function toJobEvent(message: EventSourceMessage): JobEvent | undefined {
  const name = message.event;
  if (name !== "status" && name !== "progress" && name !== "result" && name !== "error") return undefined;
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch (e) {
    throw new PolybridgeError("response_invalid", `job event '${name}' carries invalid JSON`, { cause: e });
  }
  return { event: name, data, ...(message.id === undefined ? {} : { id: message.id }) } as JobEvent;
}

/** The polling fallback: the same event sequence, built from `GET /v1/jobs/{id}` snapshots. */
async function* pollJobEvents(core: ClientCore, jobId: string, options: JobEventsOptions): AsyncGenerator<JobEvent, void, undefined> {
  let previous: Job | undefined;
  for (;;) {
    let retryAfter: string | null = null;
    const onResponse = (r: { header(name: string): string | null }): void => void (retryAfter = r.header("retry-after"));
    const job = await getJob(core.api, { path: { id: jobId } }, options.signal ? { signal: options.signal, onResponse } : { onResponse });
    if (job.status !== previous?.status && !isTerminal(job)) yield { event: "status", data: job };
    if (JSON.stringify(job.progress) !== JSON.stringify(previous?.progress)) yield { event: "progress", data: { jobId, progress: job.progress } };
    if (isTerminal(job)) {
      if (job.status === "successful") {
        const result = job.result ?? (await getJobResult(core.api, { path: { id: jobId } }, options.signal ? { signal: options.signal } : {}));
        yield { event: "result", data: result };
      } else if (job.status === "failed" && job.error) {
        yield { event: "error", data: job.error satisfies Problem };
      }
      yield { event: "status", data: job };
      return;
    }
    previous = job;
    await sleep(parseRetryAfter(retryAfter) ?? options.pollIntervalMs ?? 1_000, new Deadline(options.signal, undefined, polybridgeErrors));
  }
}
