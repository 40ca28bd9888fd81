/** The preferences of an RFC 7240 `Prefer` header that job submission honours. */
export interface JobPreference {
  respondAsync: boolean;
  /** Seconds to wait, already capped. */
  waitSeconds?: number;
}

/**
 * Reads `respond-async` and `wait=N` from a `Prefer` header as the reference server does:
 * unknown preferences are ignored (RFC 7240), `wait` is capped at `maxWaitSeconds`.
 *
 * @example
 * parsePrefer("respond-async, wait=100", 60); // { respondAsync: true, waitSeconds: 60 }
 */
export function parsePrefer(header: string | null, maxWaitSeconds: number): JobPreference {
  const out: JobPreference = { respondAsync: false };
  for (const token of (header ?? "").split(",")) {
    const [name, raw] = token.split(";")[0]?.split("=").map((s) => s.trim().replace(/^"|"$/g, "")) ?? [];
    if (name?.toLowerCase() === "respond-async") out.respondAsync = true;
    if (name?.toLowerCase() === "wait" && raw !== undefined && /^\d+$/.test(raw)) out.waitSeconds = Math.min(Number(raw), maxWaitSeconds);
  }
  return out;
}
