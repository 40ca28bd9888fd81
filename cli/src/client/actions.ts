import { createClient, isTerminal, PolybridgeError, type Client, type Job, type JobRequest, type JobResult, type Problem } from "@polybridge/sdk";
import { CommandFailure } from "../CommandFailure.js";
import type { ConnectionFlags, ListFlags, ProgressMode, RunFlags } from "../commands/client.js";
import { UsageError } from "../UsageError.js";
import { formatJob, formatJobList, formatResult, json, problemLine } from "./format.js";
import { callInput, parseRange, readItems } from "./input.js";
import { progressView, type ProgressView } from "./progress.js";

// What the client commands do. Every failure ends as one line on stderr (cli.ts prints it):
// a UsageError is exit 2, a CommandFailure carries its own code — 1 when the server answered
// with a problem (a failed or cancelled job, a failed function, an unknown job …), 3 when it
// could not be reached, 130 after Ctrl-C.

const EXIT_FAILED = 1;
const EXIT_UNREACHABLE = 3;
const EXIT_INTERRUPTED = 130;

/** A client for `--url` / `--token`; the URL must be http(s). */
function connect(flags: ConnectionFlags, timeoutMs?: number): Client {
  let url: URL;
  try {
    url = new URL(flags.url);
  } catch {
    throw new UsageError(`--url ${flags.url}: not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--url ${flags.url}: use an http or https URL`);
  return createClient({ baseUrl: flags.url, token: flags.token ?? "", ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/** The system error code (ECONNREFUSED, ENOTFOUND, …) somewhere in an error's cause chain. */
function systemCode(e: unknown): string | undefined {
  for (let c: unknown = e, depth = 0; c && depth < 6; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$|^UND_ERR/.test(code)) return code;
    const errors = (c as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) if (systemCode(inner)) return systemCode(inner);
  }
  return undefined;
}

/** Any error as what the process should say and exit with. */
function failure(e: unknown, flags: ConnectionFlags): Error {
  if (e instanceof UsageError || e instanceof CommandFailure) return e;
  const err = PolybridgeError.from(e);
  if (err.code === "network" || err.code === "timeout") {
    const why = err.code === "timeout" ? "timed out" : (systemCode(err) ?? err.message);
    return new CommandFailure(`${err.code}: cannot reach ${flags.url} (${why})`, EXIT_UNREACHABLE);
  }
  if (err.problem) return new CommandFailure(problemLine(err.problem), EXIT_FAILED);
  return new CommandFailure(`${err.code}: ${err.message}`, EXIT_FAILED);
}

/** Runs `body` with a client, turning its errors into exit codes and closing the client after. */
async function withClient(flags: ConnectionFlags, body: (client: Client) => Promise<void>, timeoutMs?: number): Promise<void> {
  const client = connect(flags, timeoutMs);
  try {
    await body(client);
  } catch (e) {
    throw failure(e, flags);
  } finally {
    // An aborted event stream must not hold the process open.
    await Promise.race([client.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** `polybridge call FUNCTION JSON`. */
export async function callAction(name: string, arg: string, flags: ConnectionFlags & { timeoutMs?: number }): Promise<void> {
  const input = await callInput(arg);
  // The client's own bound stays above the server-side one, so the server's 504 is what is seen.
  const clientTimeoutMs = flags.timeoutMs === undefined ? undefined : Math.max(30_000, flags.timeoutMs + 5_000);
  await withClient(
    flags,
    async (client) => {
      const output = await client.call(name, input, flags.timeoutMs === undefined ? {} : { functionTimeoutMs: flags.timeoutMs });
      print(json(output, flags.json ?? false));
    },
    clientTimeoutMs,
  );
}

/** The job request of `polybridge run`, checked before anything is sent. */
async function jobRequest(flags: RunFlags): Promise<JobRequest> {
  if ((flags.range === undefined) === (flags.items === undefined)) throw new UsageError("give the input as exactly one of --range START:END[:STEP] or --items FILE|-");
  if (flags.kind === "mapreduce" && flags.reducer === undefined) throw new UsageError("--kind mapreduce needs --reducer NAME");
  if (flags.kind !== "mapreduce" && flags.reducer !== undefined) throw new UsageError(`--reducer is only for --kind mapreduce (not ${flags.kind})`);
  const input = flags.range !== undefined ? { range: parseRange(flags.range) } : { items: await readItems(flags.items!) };
  const options = {
    ...(flags.chunkSize === undefined ? {} : { chunkSize: flags.chunkSize }),
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
    ...(flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs }),
  };
  const base = { function: flags.function, input, ...(Object.keys(options).length > 0 ? { options } : {}) };
  return (flags.kind === "mapreduce" ? { kind: "mapreduce", reducer: flags.reducer!, ...base } : { kind: flags.kind, ...base }) as JobRequest;
}

/**
 * Follows a job's events to its end, feeding the view; resolves with the result of a successful
 * job, throws a CommandFailure (exit 1) for a failed or dismissed one.
 */
async function follow(client: Client, job: Job, view: ProgressView, signal: AbortSignal): Promise<JobResult> {
  view.job(job);
  let final: Job | undefined;
  let result: JobResult | undefined;
  let problem: Problem | undefined;
  for await (const event of client.jobs.events(job.id, { signal })) {
    if (event.event === "status") {
      view.job(event.data);
      if (isTerminal(event.data)) final = event.data;
    } else if (event.event === "progress") view.progress(event.data.progress);
    else if (event.event === "result") result = event.data;
    else if (event.event === "error") problem = event.data;
  }
  view.stop();
  if (!final) throw new CommandFailure(`unexpected_response: the events of job ${job.id} ended without a final status`, EXIT_FAILED);
  if (final.status === "successful") return result ?? (await client.jobs.result(job.id));
  const why = final.error ?? problem;
  if (why) throw new CommandFailure(problemLine({ ...why, jobId: why.jobId ?? job.id }), EXIT_FAILED);
  throw new CommandFailure(`${final.status === "dismissed" ? "job_cancelled" : "job_failed"}: job ${job.id} ended ${final.status}`, EXIT_FAILED);
}

/**
 * Calls `onInterrupt` on the first SIGINT (Ctrl-C) while `body` runs; a second one exits 130 at
 * once.
 */
async function interruptible<T>(onInterrupt: () => void, body: () => Promise<T>): Promise<T> {
  let interrupted = false;
  const handler = (): void => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    onInterrupt();
  };
  process.on("SIGINT", handler);
  try {
    return await body();
  } finally {
    process.off("SIGINT", handler);
  }
}

/** `polybridge run …`: submit, follow, print the result; Ctrl-C cancels the job and exits 130. */
export async function runAction(flags: RunFlags): Promise<void> {
  const request = await jobRequest(flags);
  await withClient(flags, async (client) => {
    const controller = new AbortController();
    let job: Job | undefined;
    const view = progressView(flags.progress);
    const cancel = async (): Promise<never> => {
      view.stop();
      if (!job) throw new CommandFailure("interrupted before the job was submitted", EXIT_INTERRUPTED);
      let outcome: string;
      try {
        outcome = `job ${job.id} ${(await client.jobs.cancel(job.id, { timeoutMs: 5_000 })).status}`;
      } catch (e) {
        const err = PolybridgeError.from(e);
        outcome = err.code === "job_already_finished" ? `job ${job.id} had already finished` : `job ${job.id} may still run (cancel failed: ${err.code})`;
      }
      throw new CommandFailure(`interrupted: ${outcome}`, EXIT_INTERRUPTED);
    };
    const result = await interruptible(
      () => controller.abort(),
      async () => {
        // The submission is not aborted (it is quick): a job the server created gets cancelled.
        job = (await client.jobs.submit(request)).job;
        if (controller.signal.aborted) return cancel();
        try {
          return await follow(client, job, view, controller.signal);
        } catch (e) {
          if (controller.signal.aborted) return cancel();
          throw e;
        } finally {
          view.stop();
        }
      },
    );
    print(formatResult(result, flags.json ?? false));
  });
}

/** `polybridge jobs watch ID`: follow to the end and print the result; Ctrl-C only stops watching. */
export async function watchAction(id: string, flags: ConnectionFlags & { progress: ProgressMode }): Promise<void> {
  await withClient(flags, async (client) => {
    const controller = new AbortController();
    const view = progressView(flags.progress);
    const result = await interruptible(
      () => controller.abort(),
      async () => {
        try {
          return await follow(client, await client.jobs.get(id), view, controller.signal);
        } catch (e) {
          if (controller.signal.aborted) throw new CommandFailure(`interrupted: stopped watching job ${id} (it keeps running)`, EXIT_INTERRUPTED);
          throw e;
        } finally {
          view.stop();
        }
      },
    );
    print(formatResult(result, flags.json ?? false));
  });
}

/** `polybridge jobs list`. */
export async function listAction(flags: ListFlags): Promise<void> {
  await withClient(flags, async (client) => {
    const query = {
      ...(flags.status === undefined ? {} : { status: flags.status as Job["status"] }),
      ...(flags.limit === undefined ? {} : { limit: flags.limit }),
      ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
    };
    const list = await client.jobs.list(query);
    if (flags.json) return print(JSON.stringify(list));
    if (list.jobs.length === 0) process.stderr.write("no jobs\n");
    else print(formatJobList(list));
    if (list.nextCursor) process.stderr.write(`more: polybridge jobs list --cursor ${list.nextCursor}\n`);
  });
}

/** `polybridge jobs get ID`. */
export async function getAction(id: string, flags: ConnectionFlags): Promise<void> {
  await withClient(flags, async (client) => {
    const job = await client.jobs.get(id);
    print(flags.json ? JSON.stringify(job) : formatJob(job));
  });
}

/** `polybridge jobs result ID`. */
export async function resultAction(id: string, flags: ConnectionFlags): Promise<void> {
  await withClient(flags, async (client) => print(formatResult(await client.jobs.result(id), flags.json ?? false)));
}

/** `polybridge jobs cancel ID`. */
export async function cancelAction(id: string, flags: ConnectionFlags): Promise<void> {
  await withClient(flags, async (client) => {
    const job = await client.jobs.cancel(id);
    print(flags.json ? JSON.stringify(job) : `job ${job.id} ${job.status}`);
  });
}
