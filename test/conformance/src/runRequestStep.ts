import { setTimeout as sleep } from "node:timers/promises";
import { CaseFailure } from "./CaseFailure.js";
import type { RequestStep } from "./caseSchema.js";
import { captureInto } from "./captureInto.js";
import { expectExchange } from "./expectExchange.js";
import { generateBody } from "./generateBody.js";
import type { Exchange, WireRequest } from "./HttpSession.js";
import { interpolate } from "./interpolate.js";
import type { Session } from "./Session.js";

/**
 * Runs a `request` step: sends it (repeatedly while `poll.until` does not match), checks
 * `expect` on the final response and stores `capture`d values in `vars`.
 *
 * @example
 * await runRequestStep({ request: { method: "GET", path: "/v1/health" }, expect: { status: 200 } }, http, vars);
 */
export async function runRequestStep(step: RequestStep, http: Session, vars: Record<string, unknown>): Promise<Exchange> {
  const req = interpolate(step.request, vars) as WireRequest;
  if (req.body !== undefined) req.body = generateBody(req.body);
  const label = `${req.method} ${req.path}`;
  let res = await http.send(req);
  if (step.poll) {
    const deadline = Date.now() + step.poll.timeoutMs;
    let miss = expectExchange(step.poll.until, res, vars);
    while (miss.length > 0) {
      if (Date.now() > deadline) throw new CaseFailure(`${label}: still not as awaited after ${step.poll.timeoutMs} ms: ${miss.join("; ")}`);
      await sleep(step.poll.intervalMs);
      res = await http.send(req);
      miss = expectExchange(step.poll.until, res, vars);
    }
  }
  const mismatches = expectExchange(step.expect, res, vars);
  if (mismatches.length > 0) throw new CaseFailure(`${label} → ${res.status}: ${mismatches.slice(0, 4).join("; ")}`);
  captureInto(vars, step.capture, { status: res.status, headers: res.headers, body: res.body, elapsedMs: res.elapsedMs }, label);
  return res;
}
