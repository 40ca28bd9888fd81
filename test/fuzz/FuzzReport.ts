import type { Violation } from "./checkResponse.js";
import type { FuzzCase } from "./FuzzCase.js";
import type { RawResponse } from "./sendRaw.js";

/** One failing case with enough to reproduce it by hand. */
export interface Failure extends Violation {
  generator: string;
  repro: string;
  size: number;
}

/**
 * The part of a detail that tells problems apart: numbers (indexes, ids, sizes) removed and
 * repeated clauses merged, so "/jobs/3/error/itemIndex …; /jobs/9/error/itemIndex …" is one problem
 * whichever generator or list page showed it.
 */
function normalize(detail: string): string {
  const parts = detail.replace(/job_[0-9a-f]+/g, "job_X").replace(/\d+(\.\d+)?(e[+-]?\d+)?/g, "N").split("; ");
  return [...new Set(parts)].join("; ").slice(0, 100);
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** A copy-pasteable description of the request and what came back. */
export function describeExchange(c: FuzzCase, path: string, res: RawResponse | undefined, error?: string): string {
  const request = c.raw
    ? `raw bytes ${JSON.stringify(clip(Buffer.from(c.raw).toString("latin1"), 300))}`
    : [
        `${c.method} ${clip(path, 160)}`,
        ...Object.entries(c.headers).map(([k, v]) => `${k}: ${clip(JSON.stringify(v), 80)}`),
        c.body === undefined ? "" : typeof c.body === "string" ? `body ${clip(c.body, 300)}` : `body bytes ${clip(Buffer.from(c.body).toString("hex"), 300)}`,
      ].filter(Boolean).join(" | ");
  const answer = res
    ? `${res.status} ${res.headers["content-type"] ?? "(no content-type)"} ${clip(res.body.toString("utf8"), 240)}${res.timedOut ? " (timed out)" : ""}`
    : `no response: ${error ?? "?"}`;
  return `${request}\n      → ${answer}`;
}

/**
 * Collects counts and failures; failures are grouped by property, generator and answer so each
 * distinct problem is listed once, with its smallest reproduction.
 */
export class FuzzReport {
  readonly byStatus = new Map<string, number>();
  readonly byGenerator = new Map<string, number>();
  readonly groups = new Map<string, { count: number; smallest: Failure }>();
  cases = 0;
  failures = 0;

  record(c: FuzzCase, res: RawResponse | undefined): void {
    this.cases++;
    const key = res ? String(res.status) : "no response";
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    this.byGenerator.set(c.generator, (this.byGenerator.get(c.generator) ?? 0) + 1);
  }

  fail(generator: string, violation: Violation, repro: string, size: number): void {
    this.failures++;
    const key = `${violation.property} | ${violation.group ?? normalize(violation.detail)}`;
    const group = this.groups.get(key);
    const failure: Failure = { ...violation, generator, repro, size };
    if (!group) this.groups.set(key, { count: 1, smallest: failure });
    else {
      group.count++;
      if (size < group.smallest.size) group.smallest = failure;
    }
  }

  /** The one-line summary printed at the end of every run. */
  summary(seed: number): string {
    const statuses = [...this.byStatus].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}:${n}`).join(" ");
    return `fuzz summary: seed=${seed} cases=${this.cases} by status {${statuses}} failures=${this.failures} distinct=${this.groups.size}`;
  }

  /** Every distinct failure with its count and smallest reproduction. */
  details(): string {
    return [...this.groups.values()]
      .sort((a, b) => a.smallest.property.localeCompare(b.smallest.property))
      .map(({ count, smallest: f }) => `- [${f.property}] (${count}×, ${f.generator}) ${f.detail}\n      ${f.repro}`)
      .join("\n");
  }
}
