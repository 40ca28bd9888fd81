import { CaseFailure } from "../CaseFailure.js";
import type { CheckContext } from "./NamedCheck.js";

interface Page {
  jobs: { id: string; createdAt: string }[];
  nextCursor: string | null;
}

/**
 * Pages through `GET /v1/jobs` with `limit` until `nextCursor` is `null`, checking that no job
 * appears twice, pages are newest first (by `createdAt`), no page is over the limit, and the
 * walk sees at least the job ids in `args.mustSee`.
 *
 * @example
 * await walkJobPages(ctx, { limit: 25, mustSee: ["job_1", "job_2"] });
 */
export async function walkJobPages({ http }: CheckContext, args: Record<string, unknown>): Promise<void> {
  const limit = Number(args.limit ?? 20);
  const mustSee = Array.isArray(args.mustSee) ? args.mustSee.map(String) : [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  let previous: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const query: string = cursor === null ? `limit=${limit}` : `limit=${limit}&cursor=${encodeURIComponent(cursor)}`;
    const res = await http.send({ method: "GET", path: `/v1/jobs?${query}` });
    if (res.status !== 200) throw new CaseFailure(`page ${page + 1}: status ${res.status}`);
    const body = res.body as Page;
    if (body.jobs.length > limit) throw new CaseFailure(`page ${page + 1} has ${body.jobs.length} jobs, limit ${limit}`);
    for (const job of body.jobs) {
      if (seen.has(job.id)) throw new CaseFailure(`job ${job.id} appears twice (page ${page + 1})`);
      seen.add(job.id);
      if (previous !== undefined && Date.parse(job.createdAt) > Date.parse(previous)) {
        throw new CaseFailure(`not newest first: ${job.id} created ${job.createdAt} after ${previous}`);
      }
      previous = job.createdAt;
    }
    if (body.nextCursor === null) {
      const missing = mustSee.filter((id) => !seen.has(id));
      if (missing.length > 0) throw new CaseFailure(`walked ${seen.size} jobs without seeing ${missing.join(", ")}`);
      return;
    }
    if (body.jobs.length === 0) throw new CaseFailure(`page ${page + 1} is empty but nextCursor is not null`);
    cursor = body.nextCursor;
  }
  throw new CaseFailure("more than 10000 pages: nextCursor never became null");
}
