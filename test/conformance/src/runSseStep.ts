import { CaseFailure } from "./CaseFailure.js";
import type { SseExpect, SseStep } from "./caseSchema.js";
import { captureInto } from "./captureInto.js";
import { compileOrder } from "./compileOrder.js";
import { expectExchange } from "./expectExchange.js";
import type { SseEvent, SseRead } from "./HttpSession.js";
import { interpolate } from "./interpolate.js";
import { matchValue } from "./matchValue.js";
import type { Session } from "./Session.js";

const TERMINAL = new Set(["successful", "failed", "dismissed"]);

/**
 * Runs an `sse` step: reads the job's event stream, applies the protocol's stream rules to
 * every stream (ids increase, progress never goes back, a stream the server closed
 * ends with a terminal `status`), then the step's own expectations, then `capture`.
 *
 * @example
 * await runSseStep({ sse: { path: "/v1/jobs/j1/events", timeoutMs: 20000 }, expect: { closed: true } }, http, vars);
 */
export async function runSseStep(step: SseStep, http: Session, vars: Record<string, unknown>): Promise<SseRead> {
  const sse = interpolate(step.sse, vars) as SseStep["sse"];
  const label = `SSE ${sse.path}`;
  const read = await http.readEvents({ method: "GET", path: sse.path, headers: sse.headers, auth: sse.auth }, sse);
  const problems = read.status === 200 ? streamRules(read) : [];
  const want = interpolate(step.expect ?? {}, vars) as SseExpect;
  problems.push(...expectExchange({ status: want.status, headers: want.headers, body: want.body }, read, {}));
  problems.push(...streamExpectations(want, read));
  if (problems.length > 0) {
    throw new CaseFailure(`${label}: ${problems.slice(0, 4).join("; ")} [events: ${summary(read.events)}]`);
  }
  captureInto(vars, step.capture, { status: read.status, headers: read.headers, events: read.events, heartbeats: read.heartbeats, closed: read.closed }, label);
  return read;
}

function streamRules(read: SseRead): string[] {
  const out: string[] = [];
  let lastId: number | undefined;
  let done = { chunks: 0, items: 0 };
  read.events.forEach((e, i) => {
    const id = Number(e.id);
    if (e.id === undefined || !/^[0-9]+$/.test(e.id)) out.push(`event ${i} has id ${JSON.stringify(e.id)}, expected a number`);
    // Ids only go up; gaps are allowed because a server may drop events from its log.
    else if (lastId !== undefined && id <= lastId) out.push(`event id ${id} does not increase (after ${lastId})`);
    lastId = id;
    if (e.event === "progress") {
      const p = (e.data as { progress?: { completedChunks?: number; completedItems?: number } }).progress ?? {};
      const now = { chunks: p.completedChunks ?? 0, items: p.completedItems ?? 0 };
      if (now.chunks < done.chunks || now.items < done.items) out.push(`progress went back at event ${e.id}: ${JSON.stringify(p)}`);
      done = now;
    }
    if (isTerminalStatus(e) && i < read.events.length - 1) out.push(`events after the terminal status event ${e.id}`);
  });
  const last = read.events.at(-1);
  if (read.closed && last && !isTerminalStatus(last)) out.push(`the server closed the stream after '${last.event}', not after a terminal status event`);
  return out;
}

function streamExpectations(want: SseExpect, read: SseRead): string[] {
  const out: string[] = [];
  if (want.closed !== undefined && want.closed !== read.closed) {
    out.push(want.closed ? "expected the server to close the stream" : "expected the stream to stay open, but the server closed it");
  }
  const names = read.events.map((e) => e.event);
  if (want.order !== undefined && !compileOrder(want.order)(names)) out.push(`event order [${names.join(" ")}] does not match '${want.order}'`);
  if (want.firstId !== undefined && read.events[0]?.id !== String(want.firstId)) out.push(`first event id ${JSON.stringify(read.events[0]?.id)}, expected ${want.firstId}`);
  if (want.afterId !== undefined) {
    const early = read.events.find((e) => !(Number(e.id) > Number(want.afterId)));
    if (early) out.push(`event id ${JSON.stringify(early.id)} is not after ${want.afterId}`);
  }
  if (want.heartbeats !== undefined) out.push(...matchValue(want.heartbeats, read.heartbeats, "heartbeats"));
  if (want.events !== undefined) out.push(...matchValue(want.events, read.events, "events"));
  if (want.first !== undefined) out.push(...matchValue(want.first, read.events[0], "events[0]"));
  if (want.last !== undefined) out.push(...matchValue(want.last, read.events.at(-1), "events[-1]"));
  return out;
}

function isTerminalStatus(e: SseEvent): boolean {
  return e.event === "status" && TERMINAL.has(String((e.data as { status?: unknown } | undefined)?.status));
}

function summary(events: readonly SseEvent[]): string {
  return events.map((e) => (e.event === "status" ? `${e.id}:status(${String((e.data as { status?: unknown } | undefined)?.status)})` : `${e.id}:${e.event}`)).join(" ");
}
