import type { Job, JobStatus } from "../protocol.js";

/** What `GET /v1/jobs` asks for. */
export interface JobQuery {
  status?: JobStatus;
  limit?: number;
  cursor?: string;
}

// base64url of the last seen job's sequence number; btoa/atob so the msw handlers run it in browsers.
const encodeCursor = (seq: number): string => btoa(String(seq)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

function decodeCursor(cursor: string): number {
  try {
    const text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    return /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * One page of jobs, newest first, optionally of one status, after `cursor` (the previous page's
 * `nextCursor`). Returns `undefined` for a cursor this server did not issue, so each caller
 * answers with its own problem type.
 *
 * @example
 * const page = pageNewestFirst(records, { status: "running", limit: 20 });
 * if (!page) throw new ProblemError("validation_failed", "bad cursor");
 */
export function pageNewestFirst<R extends { seq: number; view: Job }>(
  records: Iterable<R>,
  query: JobQuery,
): { jobs: Job[]; nextCursor: string | null } | undefined {
  const limit = query.limit ?? 20;
  const before = query.cursor === undefined ? Number.POSITIVE_INFINITY : decodeCursor(query.cursor);
  if (Number.isNaN(before)) return undefined;
  const page: R[] = [];
  let more = false;
  for (const record of [...records].reverse()) {
    if (record.seq >= before || (query.status && record.view.status !== query.status)) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(record);
  }
  const last = page.at(-1);
  return { jobs: page.map((r) => r.view), nextCursor: more && last ? encodeCursor(last.seq) : null };
}
