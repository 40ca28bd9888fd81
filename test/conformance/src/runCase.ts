import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { CaseFailure } from "./CaseFailure.js";
import type { Step } from "./caseSchema.js";
import type { NamedCheck } from "./checks/NamedCheck.js";
import type { TraceEntry } from "./formatTrace.js";
import { interpolate } from "./interpolate.js";
import type { ConformanceCase } from "./loadCases.js";
import { runRawStep } from "./runRawStep.js";
import { runRequestStep } from "./runRequestStep.js";
import { runSseStep } from "./runSseStep.js";
import type { Session } from "./Session.js";

/** What every case of a run shares. */
export interface CaseEnvironment {
  /** Opens the session a case talks through (raw HTTP or the SDK); its requests end when `signal` fires. */
  openSession(signal: AbortSignal): Session;
  checks: Readonly<Record<string, NamedCheck>>;
  /** Variables every case starts with (e.g. `run`, a per-run id for idempotency keys). */
  vars: Readonly<Record<string, unknown>>;
}

/** How one case went. */
export interface CaseOutcome {
  ok: boolean;
  reason?: string;
  trace: TraceEntry[];
  durationMs: number;
}

// Clean-up steps get their own short budget so a stuck server cannot hold the run.
const FINALLY_BUDGET_MS = 10_000;

/**
 * Runs one case's steps in order within its `timeoutMs`, then its `finally` steps.
 *
 * @example
 * const outcome = await runCase(cases[0], env);
 * if (!outcome.ok) console.log(outcome.reason);
 */
export async function runCase(c: ConformanceCase, env: CaseEnvironment): Promise<CaseOutcome> {
  const started = performance.now();
  const vars: Record<string, unknown> = { ...env.vars, case: c.id };
  const signal = AbortSignal.timeout(c.timeoutMs);
  // Each in-flight request listens on the case signal; concurrent checks make many at once.
  setMaxListeners(1_000, signal);
  const http = env.openSession(signal);
  let reason: string | undefined;
  try {
    for (const step of c.steps) await runStep(step, http, vars, env, signal);
  } catch (error) {
    reason = signal.aborted ? `case timed out after ${c.timeoutMs} ms (${describe(error)})` : describe(error);
  }
  const cleanup = env.openSession(AbortSignal.timeout(FINALLY_BUDGET_MS));
  for (const step of c.finally) {
    try {
      await runStep(step, cleanup, vars, env, AbortSignal.timeout(FINALLY_BUDGET_MS));
    } catch (error) {
      // A clean-up step whose variables were never captured (an earlier step failed) is moot.
      if (!(error instanceof Error && /^unknown variable|has no value$/.test(error.message))) reason ??= `finally: ${describe(error)}`;
    }
  }
  return {
    ok: reason === undefined,
    ...(reason === undefined ? {} : { reason }),
    trace: [...http.trace, ...cleanup.trace],
    durationMs: Math.round(performance.now() - started),
  };
}

async function runStep(step: Step, http: Session, vars: Record<string, unknown>, env: CaseEnvironment, signal: AbortSignal): Promise<void> {
  if ("request" in step) await runRequestStep(step, http, vars);
  else if ("sse" in step) await runSseStep(step, http, vars);
  else if ("raw" in step) await runRawStep(step, http, vars);
  else if ("sleep" in step) await sleep(step.sleep, undefined, { signal });
  else {
    const check = env.checks[step.check];
    if (!check) throw new CaseFailure(`no named check '${step.check}'`);
    await check({ http, vars }, interpolate(step.args, vars) as Record<string, unknown>);
  }
}

function describe(error: unknown): string {
  if (error instanceof CaseFailure) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
