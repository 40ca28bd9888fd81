import type { ExpectSpec } from "./caseSchema.js";
import type { Exchange } from "./HttpSession.js";
import { interpolate } from "./interpolate.js";
import { matchValue } from "./matchValue.js";

/**
 * Checks one response against a step's `expect` (or a poll's `until`) and returns the
 * mismatches. `status` and `elapsedMs` take a number or a matcher; header names are
 * case-insensitive and a missing header is `undefined` (so `{ $absent: true }` works).
 *
 * @example
 * expectExchange({ status: 202, headers: { location: "/v1/jobs/${id}" } }, exchange, { id: "j1" });
 */
export function expectExchange(spec: ExpectSpec | undefined, exchange: Exchange, vars: Readonly<Record<string, unknown>>): string[] {
  if (!spec) return [];
  const want = interpolate(spec, vars) as ExpectSpec;
  const out: string[] = [];
  if (want.status !== undefined) out.push(...matchValue(want.status, exchange.status, "status"));
  for (const [name, expected] of Object.entries(want.headers ?? {})) {
    out.push(...matchValue(expected, exchange.headers[name.toLowerCase()], `header ${name.toLowerCase()}`));
  }
  if (want.body !== undefined) out.push(...matchValue(want.body, exchange.body, "body"));
  if (want.bodyText !== undefined) out.push(...matchValue(want.bodyText, exchange.text, "body text"));
  if (want.elapsedMs !== undefined) out.push(...matchValue(want.elapsedMs, exchange.elapsedMs, "elapsedMs"));
  return out;
}
