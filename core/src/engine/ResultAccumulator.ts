import type { JobKind, JobResult } from "../protocol.js";
import type { ReducerFunction } from "../functions/defineFunction.js";
import { compareKeys } from "./compareKeys.js";
import type { ChunkOutcome } from "./Executor.js";
import { findNonFinite, nonFiniteMessage } from "./findNonFinite.js";

/** A reducer's `combine` threw or gave a value JSON cannot carry: the user's function failed. */
export class CombineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CombineError";
  }
}

/**
 * Combines a job's chunk results as they arrive, in any order, into the job's result:
 * map/filter chunk texts are kept by index and joined in input order (never parsed), fold
 * partials go through the reducer's `combine`, mapreduce pairs are combined per key and sorted.
 *
 * @example
 * const acc = new ResultAccumulator("map", undefined, 2);
 * acc.add(1, { ok: true, kind: "map", items: "9", count: 1 });
 * acc.add(0, { ok: true, kind: "map", items: "1,4", count: 2 });
 * acc.toJson(); // '{"kind":"map","items":[1,4,9]}'
 * acc.toPieces(); // ['{"kind":"map","items":[', "1,4", ",", "9", "]}"]
 */
export class ResultAccumulator {
  readonly #kind: JobKind;
  readonly #reducer: ReducerFunction | undefined;
  readonly #parts: string[];
  readonly #groups = new Map<string, [string | number, unknown]>();
  #folded: unknown;
  #chars = 0;

  constructor(kind: JobKind, reducer: ReducerFunction | undefined, totalChunks: number) {
    this.#kind = kind;
    this.#reducer = reducer;
    this.#parts = new Array<string>(totalChunks);
    this.#folded = reducer ? structuredClone(reducer.identity) : undefined;
  }

  /** Takes chunk `index`'s successful outcome. */
  add(index: number, outcome: Extract<ChunkOutcome, { ok: true }>): void {
    if (outcome.kind === "fold") this.#folded = this.#combine(this.#folded, outcome.value);
    else if (outcome.kind === "mapreduce") {
      for (const [key, value] of outcome.entries) {
        const id = typeof key === "number" ? `n${key}` : `s${key}`;
        const group = this.#groups.get(id);
        if (group) group[1] = this.#combine(group[1], value);
        else this.#groups.set(id, [key, value]);
      }
    } else if (outcome.count > 0) {
      this.#parts[index] = outcome.items;
      this.#chars += outcome.items.length + 1;
    }
  }

  /** Characters of map/filter item text gathered so far (to stop a job whose result would not fit). */
  get chars(): number {
    return this.#chars;
  }

  /**
   * The result as JSON text in pieces to be written one after another: a map's chunk texts are
   * not joined, so a 10^7-item result is never copied into one string (written to a socket piece
   * by piece, it stays at its own size in memory).
   */
  toPieces(): string[] {
    switch (this.#kind) {
      case "map":
      case "filter": {
        const pieces = [`{"kind":"${this.#kind}","items":[`];
        for (const part of this.#parts) {
          if (part === undefined) continue;
          if (pieces.length > 1) pieces.push(",");
          pieces.push(part);
        }
        pieces.push("]}");
        return pieces;
      }
      case "fold":
        return [JSON.stringify({ kind: "fold", value: this.#folded } satisfies JobResult)];
      case "mapreduce":
        return [JSON.stringify({ kind: "mapreduce", entries: [...this.#groups.values()].sort((a, b) => compareKeys(a[0], b[0])) } satisfies JobResult)];
    }
  }

  /** The result as one JSON text (small results, tests). */
  toJson(): string {
    return this.toPieces().join("");
  }

  #combine(a: unknown, b: unknown): unknown {
    const reducer = this.#reducer;
    if (!reducer) throw new Error(`a ${this.#kind} job needs a reducer to combine partial results`);
    let out: unknown;
    try {
      out = reducer.combine(a, b);
    } catch (error) {
      throw new CombineError(`${reducer.name}'s combine failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const found = findNonFinite(out);
    if (found !== undefined) throw new CombineError(nonFiniteMessage(`${reducer.name}'s combine`, found));
    return out;
  }
}
