import type { Job, JobList, JobResult, Problem } from "@polybridge/sdk";
import { describeJob, describeProgress } from "./progress.js";

/** Pretty JSON for people, compact with `--json`. */
export function json(value: unknown, compact: boolean): string {
  return compact ? JSON.stringify(value) : JSON.stringify(value, null, 2);
}

/** A table cell: strings as they are, anything else as compact JSON. */
function cell(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Left-aligned columns separated by two spaces (the last column is not padded). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")).join("\n");
}

/**
 * A job's result. `--json`: the result object as the server sent it (`{"kind":"fold","value":…}`).
 * For people: a fold's value and a map's or filter's items as pretty JSON, a mapreduce's entries
 * as a two-column table (key, value).
 */
export function formatResult(result: JobResult, compact: boolean): string {
  if (compact) return JSON.stringify(result);
  switch (result.kind) {
    case "fold":
      return json(result.value, false);
    case "map":
    case "filter":
      return json(result.items, false);
    case "mapreduce":
      return result.entries.length === 0 ? "(no keys)" : table(result.entries.map(([key, value]) => [cell(key), cell(value)]));
    default:
      return json(result, false);
  }
}

/** One line for a problem: `code: detail (field: message, …) [item N] [job ID]`. */
export function problemLine(problem: Pick<Problem, "code" | "title"> & Partial<Problem>): string {
  let line = `${problem.code}: ${problem.detail ?? problem.title}`;
  // Field errors the detail does not already spell out.
  const fields = (problem.errors ?? []).filter((e) => !line.includes(e.message)).map((e) => `${e.path || "/"}: ${e.message}`);
  if (fields.length > 0) line += ` (${fields.slice(0, 3).join("; ")}${fields.length > 3 ? `; ${fields.length - 3} more` : ""})`;
  if (problem.itemIndex !== undefined) line += ` [item ${problem.itemIndex}]`;
  if (problem.jobId !== undefined && !line.includes(problem.jobId)) line += ` [job ${problem.jobId}]`;
  return line.replace(/\s*\n\s*/g, " ");
}

/** `polybridge jobs get` for people: one field per line. */
export function formatJob(job: Job): string {
  const rows: string[][] = [
    ["id", job.id],
    ["job", describeJob(job)],
    ["status", job.status],
    ["progress", describeProgress(job.progress)],
    ["options", `chunkSize ${job.options.chunkSize}, concurrency ${job.options.concurrency}, timeoutMs ${job.options.timeoutMs}`],
    ["created", job.createdAt],
  ];
  if (job.startedAt) rows.push(["started", job.startedAt]);
  if (job.finishedAt) rows.push(["finished", job.finishedAt]);
  if (job.error) rows.push(["error", problemLine(job.error)]);
  return table(rows);
}

/** `polybridge jobs list` for people: one job per row. */
export function formatJobList(list: JobList): string {
  const rows = list.jobs.map((job) => [
    job.id,
    job.status,
    describeJob(job),
    `${job.progress.completedItems}/${job.progress.totalItems}`,
    job.createdAt,
  ]);
  return table([["ID", "STATUS", "JOB", "ITEMS", "CREATED"], ...rows]);
}
