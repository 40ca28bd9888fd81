import type { JobRequestBody } from "./expectedJobOutcome.js";

/**
 * What a case must get back beyond the properties every response shares:
 * - `any`: nothing more (valid per the spec but the outcome depends on state, e.g. a random cursor);
 * - `reject`: a 4xx problem (the request breaks the spec);
 * - `oneOf`: a status in `statuses`, or a problem whose `code` is in `codes`.
 * `503 queue_full` (with Retry-After) is always acceptable: the queue may fill under the fuzzer.
 */
export type Expectation =
  | { kind: "any" }
  | { kind: "reject" }
  | { kind: "oneOf"; statuses: readonly number[]; codes: readonly string[] };

/** One generated HTTP request and what it must get. */
export interface FuzzCase {
  /** Which generator made it (e.g. `valid submitJob`, `mutation wrongType`), for the summary. */
  generator: string;
  method: string;
  /** Path and query; `{job}` is replaced at send time by the id of a job this run submitted. */
  path: string;
  headers: Readonly<Record<string, string>>;
  /** The body bytes (strings are sent as UTF-8). */
  body?: string | Uint8Array;
  /** Complete request bytes for requests no HTTP client would write (bad request line, bad headers). */
  raw?: Uint8Array;
  expect: Expectation;
  /** A valid job: it must reach a terminal state with the modelled result. */
  job?: JobRequestBody;
  /** A valid sync call: its output must match the model and the function's outputSchema. */
  call?: { function: string; input: unknown };
}

export const anything: Expectation = { kind: "any" };
export const rejected: Expectation = { kind: "reject" };
export const oneOf = (statuses: readonly number[], codes: readonly string[] = []): Expectation => ({ kind: "oneOf", statuses, codes });
export const problem = (...codes: string[]): Expectation => ({ kind: "oneOf", statuses: [], codes });
