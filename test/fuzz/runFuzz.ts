import { checkResponse, jsonBody, type Violation } from "./checkResponse.js";
import { expectedJobOutcome, sameResult, type JobRequestBody } from "./expectedJobOutcome.js";
import { problem, type FuzzCase } from "./FuzzCase.js";
import { describeExchange, FuzzReport } from "./FuzzReport.js";
import { satisfies, type FunctionInfo } from "./functionInputs.js";
import { requestBytes, sendRaw, type RawResponse } from "./sendRaw.js";

export interface FuzzRunOptions {
  port: number;
  catalogue: ReadonlyMap<string, FunctionInfo>;
  /** Requests in flight at once (2 cores: a few keep both busy without starving the workers). */
  concurrency?: number;
  /** Health is checked and stray jobs are cancelled after every batch of this many cases. */
  batchSize?: number;
  /** At most this many accepted valid jobs are polled to a terminal state and checked. */
  sampleJobs?: number;
}

/** Short JSON for messages (`undefined` too, which JSON.stringify does not turn into text). */
const show = (value: unknown, max: number): string => String(JSON.stringify(value)).slice(0, max);

/** The fields of a Job the checks read. */
interface JobView {
  status?: string;
  result?: unknown;
  error?: { code?: string; itemIndex?: number };
  options?: { timeoutMs?: number };
  startedAt?: string;
  finishedAt?: string;
}

const terminal = new Set(["successful", "failed", "dismissed"]);

/**
 * Sends every case, checks every answer, checks the server is alive after each batch, and
 * finally polls a sample of the accepted valid jobs until they are terminal and checks their
 * results against the model. Failures are collected (not thrown) so one run lists them all.
 */
export async function runFuzz(cases: readonly FuzzCase[], options: FuzzRunOptions): Promise<FuzzReport> {
  const { port, catalogue } = options;
  const report = new FuzzReport();
  const knownJobs: string[] = [];
  const watched: { id: string; job: JobRequestBody }[] = [];
  let stray: string[] = [];
  const send = (c: FuzzCase, path: string) => sendRaw(port, c.raw ?? requestBytes(c.method, path, c.headers, c.body), path.endsWith("/events") ? 3_000 : 10_000);

  const runOne = async (c0: FuzzCase, index: number): Promise<void> => {
    let c = c0;
    let path = c.path;
    if (path.includes("{job}")) {
      const id = knownJobs[index % Math.max(1, knownJobs.length)];
      if (id === undefined) c = { ...c, expect: problem("job_not_found") };
      path = path.replace("{job}", encodeURIComponent(id ?? "job_none"));
    }
    let res: RawResponse | undefined;
    try {
      res = await send(c, path);
    } catch (error) {
      report.record(c, undefined);
      report.fail(c.generator, { property: "server answers", detail: (error as Error).message }, describeExchange(c, path, undefined, (error as Error).message), path.length + (c.body?.length ?? 0));
      return;
    }
    report.record(c, res);
    for (const v of checkResponse(c, path, res, catalogue)) report.fail(c.generator, v, describeExchange(c, path, res), path.length + (c.body?.length ?? 0) + (c.raw?.length ?? 0));
    if (c.method === "POST" && path === "/v1/jobs" && (res.status === 200 || res.status === 202)) {
      const id = (jsonBody(res) as { id?: unknown } | undefined)?.id;
      if (typeof id !== "string") return;
      if (!knownJobs.includes(id)) knownJobs.push(id);
      if (c.job && watched.length < (options.sampleJobs ?? 80) && !watched.some((w) => w.id === id)) watched.push({ id, job: c.job });
      else if (!c.job) stray.push(id);
    }
  };

  const batchSize = options.batchSize ?? 50;
  for (let start = 0; start < cases.length; start += batchSize) {
    const batch = cases.slice(start, start + batchSize);
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency ?? 4 }, async () => {
        while (next < batch.length) {
          const i = next++;
          await runOne(batch[i] as FuzzCase, start + i);
        }
      }),
    );
    await checkHealth(port, report, `after batch ${start / batchSize + 1}`);
    // Spec-valid mutations may be big jobs (a range of 10^6): dismiss them so the run stays bounded.
    await Promise.all(stray.map((id) => sendRaw(port, requestBytes("DELETE", `/v1/jobs/${encodeURIComponent(id)}`, {}), 5_000).catch(() => undefined)));
    stray = [];
  }
  await checkJobs(port, watched, catalogue, report);
  await checkHealth(port, report, "at the end");
  return report;
}

async function checkHealth(port: number, report: FuzzReport, when: string): Promise<void> {
  const c: FuzzCase = { generator: "health", method: "GET", path: "/v1/health", headers: {}, expect: { kind: "oneOf", statuses: [200], codes: [] } };
  try {
    const res = await sendRaw(port, requestBytes("GET", "/v1/health", {}), 5_000);
    if (res.status !== 200) report.fail("health", { property: "server stays healthy", detail: `${when}: ${res.status}` }, describeExchange(c, c.path, res), 0);
  } catch (error) {
    report.fail("health", { property: "server stays healthy", detail: `${when}: ${(error as Error).message}` }, describeExchange(c, c.path, undefined, (error as Error).message), 0);
  }
}

/** Polls each watched job until terminal (bounded), then checks its outcome against the model. */
async function checkJobs(port: number, watched: readonly { id: string; job: JobRequestBody }[], catalogue: ReadonlyMap<string, FunctionInfo>, report: FuzzReport): Promise<void> {
  const deadline = Date.now() + 15_000;
  await Promise.all(
    watched.map(async ({ id, job }) => {
      const path = `/v1/jobs/${encodeURIComponent(id)}`;
      const c: FuzzCase = { generator: "job poll", method: "GET", path, headers: {}, expect: { kind: "oneOf", statuses: [200], codes: [] }, job };
      let view: JobView | undefined;
      let res: RawResponse | undefined;
      while (Date.now() < deadline) {
        res = await sendRaw(port, requestBytes("GET", path, {}), 5_000).catch(() => undefined);
        view = res ? (jsonBody(res) as typeof view) : undefined;
        if (view?.status && terminal.has(view.status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      report.record(c, res);
      const repro = `job ${JSON.stringify(job)}\n      → ${res?.status ?? "no response"} ${show(view, 300)}`;
      if (!view?.status || !terminal.has(view.status)) {
        report.fail("job poll", { property: "accepted job reaches a terminal state", detail: `still ${view?.status ?? "unknown"} after 15 s` }, repro, JSON.stringify(job).length);
        return;
      }
      if (res) for (const v of checkResponse(c, path, res, catalogue)) report.fail("job poll", v, repro, JSON.stringify(job).length);
      if (view.status === "successful") {
        // GET /v1/jobs/{id} carries no result; the result route does.
        const resultCase: FuzzCase = { ...c, generator: "job result", path: `${path}/result` };
        const resultRes = await sendRaw(port, requestBytes("GET", resultCase.path, {}), 5_000).catch(() => undefined);
        report.record(resultCase, resultRes);
        if (resultRes) for (const v of checkResponse(resultCase, resultCase.path, resultRes, catalogue)) report.fail("job result", v, repro, JSON.stringify(job).length);
        view = { ...view, result: resultRes ? jsonBody(resultRes) : undefined };
      }
      for (const v of checkJobOutcome(job, view, catalogue)) report.fail("job poll", v, repro, JSON.stringify(job).length);
    }),
  );
}

function checkJobOutcome(job: JobRequestBody, view: JobView, catalogue: ReadonlyMap<string, FunctionInfo>): Violation[] {
  const out: Violation[] = [];
  const group = `${job.kind} ${job.function}${job.reducer === undefined ? "" : `+${job.reducer}`}`;
  const fn = catalogue.get(job.function);
  const reducer = job.reducer === undefined ? undefined : catalogue.get(job.reducer);
  // Whatever the model says, a successful result must hold values the function's outputSchema allows.
  if (view.status === "successful" && fn) {
    const result = view.result as { items?: unknown[]; value?: unknown; entries?: [unknown, unknown][] } | undefined;
    const bad =
      job.kind === "map" ? result?.items?.find((v) => !satisfies(fn.outputSchema, v))
      : job.kind === "fold" && !satisfies(fn.outputSchema, result?.value) ? [result?.value]
      : job.kind === "mapreduce" && reducer ? result?.entries?.find(([, v]) => !satisfies(reducer.outputSchema, v))
      : undefined;
    if (bad !== undefined) out.push({ property: "job result satisfies the function's outputSchema", detail: `${JSON.stringify(bad)} in ${show(view.result, 200)}`, group });
  }
  const expected = expectedJobOutcome(job, catalogue);
  if (!expected || view.status === "dismissed") return out;
  // A job that really ran past its timeoutMs may fail with job_timeout (other test files share
  // the 2 cores); one that fails so before its time is up is still reported below.
  if (view.status === "failed" && view.error?.code === "job_timeout") {
    const ranMs = Date.parse(view.finishedAt ?? "") - Date.parse(view.startedAt ?? "");
    if (ranMs >= (view.options?.timeoutMs ?? Infinity) - 50) return out;
  }
  if ("result" in expected) {
    if (view.status !== "successful") out.push({ property: "job outcome as PROTOCOL.md says", detail: `expected successful, got ${view.status} ${JSON.stringify(view.error)}`, group });
    else if (!sameResult(view.result, expected.result)) out.push({ property: "job outcome as PROTOCOL.md says", detail: `result ${show(view.result, 200)}, expected ${show(expected.result, 200)}`, group });
  } else if (view.status !== "failed" || view.error?.code !== "item_failed" || !expected.failingItems.has(view.error.itemIndex ?? -1)) {
    out.push({ property: "job outcome as PROTOCOL.md says", detail: `expected item_failed at one of [${[...expected.failingItems].join(",")}], got ${view.status} ${JSON.stringify(view.error)}`, group });
  }
  return out;
}
