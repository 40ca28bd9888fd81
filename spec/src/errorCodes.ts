import { loadSpec, type JsonObject } from "./loadSpec.js";
import type { ErrorCode } from "./schemas.js";

/** What the spec says of one error code (`x-problems` of `ErrorCode`). */
export interface ProblemFacts {
  status: number;
  title: string;
  /** Job-only: travels inside `Job.error`, never as an HTTP answer. */
  job: boolean;
}

function errorCodeSchema(): { enum: ErrorCode[]; "x-problems"?: Record<string, Partial<ProblemFacts>> } {
  return ((loadSpec().components as JsonObject).schemas as JsonObject).ErrorCode as { enum: ErrorCode[] };
}

/**
 * The closed list of error codes, read from `components.schemas.ErrorCode.enum`.
 *
 * @example
 * errorCodes().includes("queue_full"); // true
 */
export function errorCodes(): readonly ErrorCode[] {
  return errorCodeSchema().enum;
}

let facts: Record<ErrorCode, ProblemFacts> | undefined;

/**
 * Status, title and kind of every error code, from the spec's `x-problems` table; throws when a
 * code lacks an entry or an entry names no code, so the table cannot drift from the enum.
 *
 * @example
 * problemFacts().queue_full; // { status: 503, title: "Job queue is full", job: false }
 */
export function problemFacts(): Record<ErrorCode, ProblemFacts> {
  if (facts) return facts;
  const schema = errorCodeSchema();
  const table = schema["x-problems"] ?? {};
  const out = {} as Record<ErrorCode, ProblemFacts>;
  for (const code of schema.enum) {
    const entry = table[code];
    if (typeof entry?.status !== "number" || typeof entry.title !== "string") throw new Error(`spec: ErrorCode x-problems has no status and title for '${code}'`);
    out[code] = { status: entry.status, title: entry.title, job: entry.job === true };
  }
  const extra = Object.keys(table).filter((code) => !(code in out));
  if (extra.length > 0) throw new Error(`spec: ErrorCode x-problems names codes not in its enum: ${extra.join(", ")}`);
  facts = out;
  return out;
}
