/** The preferences of an RFC 7240 `Prefer` header that job submission honours. */
export interface JobPreference {
  respondAsync: boolean;
  /** Seconds to wait, already capped. */
  waitSeconds?: number;
}

/**
 * Reads `respond-async` and `wait=N` from a `Prefer` header; unknown preferences are ignored,
 * as RFC 7240 asks. `wait` is capped at `maxWaitSeconds`.
 *
 * @example
 * parsePrefer("respond-async, wait=100", 60); // { respondAsync: true, waitSeconds: 60 }
 */
export function parsePrefer(header: string | readonly string[] | null | undefined, maxWaitSeconds: number): JobPreference {
  const out: JobPreference = { respondAsync: false };
  const values: readonly string[] = typeof header === "string" ? [header] : (header ?? []);
  for (const token of values.flatMap((v) => v.split(","))) {
    const [name, raw] = token.split(";")[0]?.split("=").map((s) => s.trim().replace(/^"|"$/g, "")) ?? [];
    if (name?.toLowerCase() === "respond-async") out.respondAsync = true;
    if (name?.toLowerCase() === "wait" && raw !== undefined && /^\d+$/.test(raw)) {
      out.waitSeconds = Math.min(Number(raw), maxWaitSeconds);
    }
  }
  return out;
}
