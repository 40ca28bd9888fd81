/** The preferences of an RFC 7240 `Prefer` header that job submission honours. */
export interface JobPreference {
  respondAsync: boolean;
  /** Seconds to wait, already capped. */
  waitSeconds?: number;
}

/** Parsed headers by cap, then header text: clients send the same few `Prefer` values again and again. */
const parsed = new Map<number, Map<string, Readonly<JobPreference>>>();

/** Distinct header texts remembered per cap (past it the memo starts over: any text still parses). */
const MEMO_SIZE = 256;

/**
 * Reads `respond-async` and `wait=N` from a `Prefer` header; unknown preferences are ignored,
 * as RFC 7240 asks. `wait` is capped at `maxWaitSeconds`. The answer is shared (frozen) between
 * calls with the same header.
 *
 * @example
 * parsePrefer("respond-async, wait=100", 60); // { respondAsync: true, waitSeconds: 60 }
 */
export function parsePrefer(header: string | readonly string[] | null | undefined, maxWaitSeconds: number): Readonly<JobPreference> {
  const text = typeof header === "string" ? header : (header ?? []).join(",");
  let memo = parsed.get(maxWaitSeconds);
  if (!memo) parsed.set(maxWaitSeconds, (memo = new Map()));
  let out = memo.get(text);
  if (!out) {
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(text, (out = Object.freeze(parse(text, maxWaitSeconds))));
  }
  return out;
}

function parse(text: string, maxWaitSeconds: number): JobPreference {
  const out: JobPreference = { respondAsync: false };
  for (const token of text.split(",")) {
    const [name, raw] = token.split(";")[0]?.split("=").map((s) => s.trim().replace(/^"|"$/g, "")) ?? [];
    if (name?.toLowerCase() === "respond-async") out.respondAsync = true;
    if (name?.toLowerCase() === "wait" && raw !== undefined && /^\d+$/.test(raw)) {
      out.waitSeconds = Math.min(Number(raw), maxWaitSeconds);
    }
  }
  return out;
}
