import type { Job, Progress } from "@polybridge/sdk";
import cliProgress from "cli-progress";
import type { ProgressMode } from "../commands/client.js";

/** What `run` and `jobs watch` show on stderr while a job runs. */
export interface ProgressView {
  /** A snapshot of the job (the submit answer, a `status` event). */
  job(job: Job): void;
  /** A `progress` event. */
  progress(progress: Progress): void;
  /** Stops drawing (idempotent); the terminal is left on a fresh line. */
  stop(): void;
}

const TERMINAL = new Set(["successful", "failed", "dismissed"]);

/** "12/40 items, 3/10 chunks (30%)". */
export function describeProgress(p: Progress): string {
  const percent = p.totalItems === 0 ? 100 : Math.floor((p.completedItems / p.totalItems) * 100);
  return `${p.completedItems}/${p.totalItems} items, ${p.completedChunks}/${p.totalChunks} chunks (${percent}%)`;
}

/** "map square", "mapreduce tokenize + sum". */
export function describeJob(job: Pick<Job, "kind" | "function" | "reducer">): string {
  return `${job.kind} ${job.function}${job.reducer ? ` + ${job.reducer}` : ""}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "successful in 2.5 s" (from the server's timestamps, so a replayed old job says its own time). */
function ended(job: Job, started: number): string {
  const from = Date.parse(job.createdAt);
  const to = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  const ms = Number.isFinite(from) && Number.isFinite(to) ? to - from : Date.now() - started;
  return `${job.status} in ${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/** "job ID: fold countPrimes over 1000 items in 10 chunks". */
function introduce(job: Job): string {
  return `job ${job.id}: ${describeJob(job)} over ${plural(job.progress.totalItems, "item")} in ${plural(job.progress.totalChunks, "chunk")}`;
}

/**
 * The view for a mode: `bar` draws a cli-progress bar on stderr (on a terminal; forced, it
 * prints the bar as a line every half second), `lines` prints plain lines (status changes and
 * progress at most every 250 ms, always the last), `none` prints nothing. `auto` is `bar` when
 * stderr is a terminal, else `lines`.
 */
export function progressView(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): ProgressView {
  const resolved = mode === "auto" ? (stream.isTTY ? "bar" : "lines") : mode;
  if (resolved === "none") return { job() {}, progress() {}, stop() {} };
  return resolved === "bar" ? barView(stream) : linesView(stream);
}

function linesView(stream: NodeJS.WriteStream): ProgressView {
  const started = Date.now();
  let introduced = false;
  let status: string | undefined;
  let lastLine = "";
  let lastAt = 0;
  let id = "";
  const write = (line: string): void => {
    stream.write(`${line}\n`);
  };
  return {
    job(job) {
      id = job.id;
      // The first snapshot introduces the job; the event stream then replays its statuses.
      if (!introduced) {
        introduced = true;
        return write(introduce(job));
      }
      if (job.status === status) return;
      status = job.status;
      write(`job ${job.id} ${TERMINAL.has(job.status) ? ended(job, started) : job.status}`);
    },
    progress(p) {
      const line = `job ${id} ${describeProgress(p)}`;
      const now = Date.now();
      if (line === lastLine || (p.completedItems < p.totalItems && now - lastAt < 250)) return;
      lastLine = line;
      lastAt = now;
      write(line);
    },
    stop() {},
  };
}

const FORMAT = "{bar} {percentage}% | {value}/{total} items | {chunks} chunks | {status} | {duration_formatted}";

function barView(stream: NodeJS.WriteStream): ProgressView {
  const started = Date.now();
  const forced = !stream.isTTY;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      // The ETA only once it is known (cli-progress shows "NF" before the first update).
      format: (options, params, payload) =>
        cliProgress.Format.Formatter(
          { ...options, format: `${FORMAT}${Number.isFinite(params.eta) && params.value > 0 && params.value < params.total ? " | ETA {eta_formatted}" : ""}` },
          params,
          payload,
        ),
      barCompleteChar: "\u2588",
      barIncompleteChar: "\u2591",
      barsize: 30,
      hideCursor: false,
      gracefulExit: false,
      noTTYOutput: forced,
      clearOnComplete: forced,
      notTTYSchedule: 500,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  let stopped = false;
  let introduced = false;
  let last: Job | undefined;
  let progress: Progress | undefined;
  const payload = (): Record<string, string> => ({
    status: last?.status ?? "",
    chunks: progress ? `${progress.completedChunks}/${progress.totalChunks}` : "0/0",
  });
  const draw = (): void => {
    if (stopped || !progress) return;
    // An empty job has nothing to count: show it as complete rather than 0 of 0.
    const total = Math.max(progress.totalItems, 1);
    const value = progress.totalItems === 0 ? (last && TERMINAL.has(last.status) ? 1 : 0) : progress.completedItems;
    if (!running) {
      bar.start(total, value, payload());
      running = true;
    } else {
      bar.setTotal(total);
      bar.update(value, payload());
    }
  };
  return {
    job(job) {
      if (!introduced) {
        introduced = true;
        stream.write(`${introduce(job)}\n`);
      }
      last = job;
      progress = progress && progress.completedItems >= job.progress.completedItems ? progress : job.progress;
      draw();
      if (TERMINAL.has(job.status)) {
        this.stop();
        stream.write(`job ${job.id} ${ended(job, started)}\n`);
      }
    },
    progress(p) {
      progress = p;
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (running) bar.stop();
    },
  };
}
