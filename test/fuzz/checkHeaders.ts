import type { Violation } from "./checkResponse.js";
import type { FuzzCase } from "./FuzzCase.js";
import type { RawResponse } from "./sendRaw.js";

const terminal = new Set(["successful", "failed", "dismissed"]);

/**
 * The response headers PROTOCOL.md pins down: `Location` on a 202 submission,
 * `Preference-Applied` for an honoured `Prefer`, `Idempotent-Replayed: true` only,
 * `Retry-After` on `409 result_not_ready` and on a non-terminal job.
 */
export function checkHeaders(c: FuzzCase, path: string, res: RawResponse, body: unknown): Violation[] {
  const out: Violation[] = [];
  const h = res.headers;
  const view = body !== null && typeof body === "object" ? (body as { id?: unknown; status?: unknown; code?: unknown; links?: { self?: unknown } }) : {};
  const isSubmit = c.method === "POST" && path.split("?")[0] === "/v1/jobs";
  if (isSubmit && res.status === 202) {
    if (h.location === undefined || h.location !== view.links?.self) out.push({ property: "202 submission has Location = links.self", detail: `location ${JSON.stringify(h.location)}, links.self ${JSON.stringify(view.links?.self)}` });
    if (c.headers.prefer === "respond-async" && h["preference-applied"] !== "respond-async") out.push({ property: "Preference-Applied echoes the honoured Prefer", detail: `prefer respond-async → ${JSON.stringify(h["preference-applied"])}` });
  }
  const wait = /^wait=(\d{1,2})$/.exec(c.headers.prefer ?? "");
  if (isSubmit && wait && (res.status === 200 || res.status === 202) && h["preference-applied"] !== `wait=${Math.min(Number(wait[1]), 60)}`) {
    out.push({ property: "Preference-Applied echoes the honoured Prefer", detail: `prefer ${c.headers.prefer} → ${JSON.stringify(h["preference-applied"])}` });
  }
  if (h["idempotent-replayed"] !== undefined && h["idempotent-replayed"] !== "true") out.push({ property: "Idempotent-Replayed is only 'true'", detail: JSON.stringify(h["idempotent-replayed"]) });
  if (h["idempotent-replayed"] !== undefined && c.headers["idempotency-key"] === undefined) out.push({ property: "Idempotent-Replayed only answers an Idempotency-Key", detail: JSON.stringify(h["idempotent-replayed"]) });
  if (res.status === 409 && view.code === "result_not_ready" && !/^\d+$/.test(h["retry-after"] ?? "")) out.push({ property: "409 result_not_ready has Retry-After", detail: JSON.stringify(h["retry-after"]) });
  const isGetJob = c.method === "GET" && /^\/v1\/jobs\/[^/?]+$/.test(path.split("?")[0] ?? "");
  if (isGetJob && res.status === 200 && typeof view.status === "string" && !terminal.has(view.status) && h["retry-after"] !== "1") {
    out.push({ property: "non-terminal job has Retry-After: 1", detail: `${view.status} with retry-after ${JSON.stringify(h["retry-after"])}` });
  }
  return out;
}
