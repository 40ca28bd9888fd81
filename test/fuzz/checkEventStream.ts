import { createAjv, deref, loadSpec } from "@polybridge/spec";
import type { Violation } from "./checkResponse.js";

let validateEvent: ReturnType<ReturnType<typeof createAjv>["compile"]> | undefined;

/**
 * The spec types a stream only as `string`; each event's `data` must still be a `JobEvent`
 * (`{event, data}`), ids must increase, and a stream read to its end must end with a terminal
 * `status` event (or be empty, when resumed after its end). A stream cut by the fuzzer's timeout is checked up to its last whole event.
 */
export function checkEventStream(text: string, complete: boolean, lastEventId = 0): Violation[] {
  validateEvent ??= createAjv().compile(deref(loadSpec(), { $ref: "#/components/schemas/JobEvent" }) as object);
  const out: Violation[] = [];
  const blocks = text.split("\n\n");
  // The part after the last blank line is an event still being written (or nothing).
  const whole = blocks.slice(0, -1);
  // With Last-Event-ID: N only events after N may come.
  let lastId = lastEventId;
  let last: { event: string; data: unknown } | undefined;
  for (const block of whole) {
    const fields = new Map<string, string>();
    for (const line of block.split("\n")) {
      if (line.startsWith(":") || line === "") continue;
      const colon = line.indexOf(":");
      fields.set(colon < 0 ? line : line.slice(0, colon), colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, ""));
    }
    if (fields.size === 0) continue;
    const id = Number(fields.get("id"));
    if (!Number.isInteger(id) || id <= lastId) out.push({ property: "SSE ids increase", detail: `id ${JSON.stringify(fields.get("id"))} after ${lastId}` });
    else lastId = id;
    let data: unknown;
    try {
      data = JSON.parse(fields.get("data") ?? "");
    } catch {
      out.push({ property: "SSE data is JSON", detail: (fields.get("data") ?? "").slice(0, 120) });
      continue;
    }
    last = { event: fields.get("event") ?? "", data };
    if (!validateEvent(last)) out.push({ property: "SSE event validates as JobEvent", detail: `${last.event}: ${(validateEvent.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`).slice(0, 3).join("; ")}` });
  }
  // A resumed stream of a finished job may rightly be empty (nothing after Last-Event-ID).
  if (complete && last !== undefined) {
    const status = (last?.data as { status?: unknown } | undefined)?.status;
    if (last?.event !== "status" || !["successful", "failed", "dismissed"].includes(String(status))) {
      out.push({ property: "a closed SSE stream ends with the terminal status", detail: `last event ${last?.event ?? "none"} ${String(status)}` });
    }
  }
  return out;
}
