import { isObject, type JsonObject } from "../loadDocument.js";
import { exportConstText, jsonText, moduleText } from "../tsText.js";

/** Status and title of one error code, as the spec's `x-problems` table of `ErrorCode` gives them. */
interface ProblemEntry {
  status: number;
  title: string;
  job: boolean;
}

/**
 * Reads `components.schemas.ErrorCode["x-problems"]`: each code's HTTP status, title, and whether
 * it is job-only. Throws when the table and the enum disagree, so a typo cannot slip through.
 *
 * @example
 * problemTable(doc).get("queue_full"); // { status: 503, title: "Job queue is full", job: false }
 */
export function problemTable(doc: JsonObject): Map<string, ProblemEntry> {
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  const schema = schemas.ErrorCode;
  const table = isObject(schema) ? schema["x-problems"] : undefined;
  if (!isObject(schema) || !Array.isArray(schema.enum) || !isObject(table)) {
    throw new Error("spec: components.schemas.ErrorCode needs an enum and an x-problems table");
  }
  const out = new Map<string, ProblemEntry>();
  for (const code of schema.enum as string[]) {
    const entry = table[code];
    if (!isObject(entry) || typeof entry.status !== "number" || typeof entry.title !== "string") {
      throw new Error(`spec: ErrorCode x-problems has no status and title for '${code}'`);
    }
    out.set(code, { status: entry.status, title: entry.title, job: entry.job === true });
  }
  const extra = Object.keys(table).filter((code) => !out.has(code));
  if (extra.length > 0) throw new Error(`spec: ErrorCode x-problems names codes not in its enum: ${extra.join(", ")}`);
  return out;
}

/**
 * Prints `errorStatuses.ts`: `errorStatusByCode` (codes an HTTP answer can carry),
 * `jobErrorStatusByCode` (job-only codes, the status inside `Job.error`) and `problemTitleByCode`.
 */
export function emitErrorStatuses(doc: JsonObject, header: string): string {
  const entries = [...problemTable(doc)];
  const pick = (job: boolean) => Object.fromEntries(entries.filter(([, e]) => e.job === job).map(([code, e]) => [code, e.status]));
  const asConst = (value: unknown): string => `${jsonText(value)} as const`;
  return moduleText(header, [
    exportConstText("errorStatusByCode", asConst(pick(false)), { doc: "The HTTP status of each error code that an HTTP answer can carry." }),
    exportConstText("jobErrorStatusByCode", asConst(pick(true)), { doc: "The status of each job-only code, reported inside `Job.error`." }),
    exportConstText("problemTitleByCode", asConst(Object.fromEntries(entries.map(([code, e]) => [code, e.title]))), { doc: "The title of each code's problem." }),
  ]);
}

/**
 * Prints `problems.ts` for `@polybridge/core`: every code's status, title and job flag, so the
 * server and the mocks build problems without reading the YAML spec at run time.
 */
export function emitProblemTable(doc: JsonObject, header: string): string {
  const table = Object.fromEntries([...problemTable(doc)].map(([code, e]) => [code, { status: e.status, title: e.title, job: e.job }]));
  return moduleText(header, [
    exportConstText("problemTable", `${jsonText(table)} as const`, {
      doc: "Status, title and job-only flag of every error code (the spec's `x-problems` table of `ErrorCode`).",
    }),
  ]);
}
