import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { undiciTransport, type Transport } from "@polybridge/sdk";
import picomatch from "picomatch";
import { Agent, request } from "undici";
import { namedChecks } from "./checks/namedChecks.js";
import { createContractChecker } from "./createContractChecker.js";
import { authSkipReason, runCredentials, type Credentials } from "./credentials.js";
import { formatTrace, type TraceEntry } from "./formatTrace.js";
import { HttpSession } from "./HttpSession.js";
import { casesDir, loadCases, type ConformanceCase } from "./loadCases.js";
import { mapConcurrent } from "./mapConcurrent.js";
import { readKnownFailing } from "./readKnownFailing.js";
import { runCase, type CaseEnvironment } from "./runCase.js";
import { SdkSession } from "./sdk/SdkSession.js";
import { sdkSkipReason } from "./sdk/sdkSkipReason.js";

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Base URL of the server under test, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Globs of case ids to run (default: all). */
  run?: string[];
  /** Globs of case ids to skip. */
  skip?: string[];
  /** Path of a known-failing list (one id or glob per line, `#` comments). */
  knownFailing?: string;
  /** Print the wire trace of failing cases. */
  trace?: boolean;
  /** Also write the report as JSON to this file. */
  jsonFile?: string;
  /** Where lines go (default: `console.log`). */
  log?: (line: string) => void;
  /** Cases in flight at once (default 6); `exclusive` cases always run alone, last. */
  concurrency?: number;
  /** Folder of case files (default: the bundled `cases/`). */
  casesDir?: string;
  /**
   * What sends the requests: `"http"` (default) puts each request on the wire as written;
   * `"sdk"` drives the same cases through `@polybridge/sdk` (strict validation, no retries), so
   * a case that fails only here points at the client. Cases no typed call can express are skipped.
   */
  client?: "http" | "sdk";
  /** SDK mode: the transport the SDK sends through (default: an undici pool the runner closes). */
  sdkTransport?: Transport;
  /**
   * A bearer token the server under test accepts. Every request of every case (HTTP, event
   * streams, SDK mode) then carries `Authorization: Bearer <token>`, and the authentication
   * cases (`auth.*`) run; without a token they are skipped.
   */
  token?: string | undefined;
  /**
   * A second accepted token, another tenant: with it the cases on tenant separation run (the
   * jobs of `token` are `404` for it, its list and idempotency keys are its own).
   */
  otherToken?: string | undefined;
}

/** The result of one case. */
export interface CaseResult {
  id: string;
  requirement: string;
  file: string;
  outcome: "passed" | "failed" | "skipped";
  /** Listed in the known-failing file. */
  knownFailing: boolean;
  /** Why it failed, or why it was skipped (an auth case without a token, a case SDK mode cannot express). */
  reason?: string;
  durationMs: number;
  /** The wire trace, kept for failing cases. */
  trace?: TraceEntry[];
}

/** A result that should fail the run: a new failure, or a known failure that now passes. */
export interface UnexpectedResult {
  id: string;
  reason: string;
}

/** What {@link runConformance} returns. */
export interface ConformanceReport {
  url: string;
  /** What sent the requests (see {@link ConformanceOptions.client}). */
  client: "http" | "sdk";
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  cases: CaseResult[];
  /** Empty when the run matches expectations (the exit-0 condition). */
  unexpected: UnexpectedResult[];
}

/**
 * Runs the conformance cases against a server and prints `PASS id`, `FAIL id: reason` or
 * `SKIP id` (`SKIP id: reason` when the run lacks a token an auth case needs, or SDK mode cannot express it) per case, ending with
 * `N passed, N failed` (and `, N skipped` when any).
 *
 * @example
 * const report = await runConformance({ url: "http://127.0.0.1:8080", skip: ["events.*"] });
 * process.exitCode = report.unexpected.length === 0 ? 0 : 1;
 *
 * // The same cases through the TypeScript SDK: a case failing only here is a client bug.
 * const viaSdk = await runConformance({ url: "http://127.0.0.1:8080", client: "sdk" });
 *
 * // A server started with POLYBRIDGE_AUTH_TOKENS="t1,t2": every request carries t1, and the
 * // auth cases (401s, tenant separation between t1 and t2) run instead of being skipped.
 * const withAuth = await runConformance({ url: "http://127.0.0.1:8080", token: "t1", otherToken: "t2" });
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = performance.now();
  const cases = loadCases(options.casesDir ?? casesDir, Object.keys(namedChecks));
  const client = options.client ?? "http";
  const credentials: Credentials = runCredentials(options);
  // Left out, with the reason, by rule (never by id): authentication cases when the run has no
  // token (or no other token), and in SDK mode what no typed call can express.
  const inexpressible = new Map(cases.flatMap((c) => {
    const reason = authSkipReason(c, credentials) ?? (client === "sdk" ? sdkSkipReason(c) : undefined);
    return reason === undefined ? [] : [[c.id, reason] as const];
  }));
  const picked = selector(options.run, options.skip);
  const selected = (id: string): boolean => picked(id) && !inexpressible.has(id);
  const knownPatterns = options.knownFailing ? readKnownFailing(options.knownFailing) : [];
  const isKnown = knownPatterns.length > 0 ? picomatch(knownPatterns) : () => false;
  for (const p of knownPatterns) {
    if (!cases.some((c) => picomatch.isMatch(c.id, p))) log(`WARN known-failing entry '${p}' matches no case`);
  }

  const toRun = cases.filter((c) => selected(c.id));
  const plan = [...toRun.filter((c) => !c.exclusive), ...toRun.filter((c) => c.exclusive), ...cases.filter((c) => !selected(c.id))];
  const results = new Array<CaseResult | undefined>(plan.length);
  let printed = 0;
  // Lines come out in plan order even though cases finish out of order.
  const settle = (i: number, result: CaseResult): void => {
    results[i] = result;
    for (let r = results[printed]; r !== undefined; r = results[++printed]) printResult(r, options.trace === true, log);
  };

  const dispatcher = new Agent({ keepAliveTimeout: 2_000, connections: 128 });
  const ownTransport = client === "sdk" && !options.sdkTransport ? undiciTransport(options.url, { connections: 128, keepAliveTimeoutMs: 2_000 }) : undefined;
  try {
    await preflight(options.url, dispatcher, credentials.token);
    const contract = createContractChecker();
    const transport = options.sdkTransport ?? ownTransport;
    const env: CaseEnvironment = {
      openSession: (signal) =>
        transport ? new SdkSession({ baseUrl: options.url, transport, signal, credentials }) : new HttpSession({ baseUrl: options.url, dispatcher, contract, signal, credentials }),
      checks: namedChecks,
      // `host` is the server's `host:port`, for the Host line of raw requests.
      vars: { run: randomUUID().slice(0, 8), host: new URL(options.url).host },
    };
    const runOne = async (c: ConformanceCase): Promise<void> => {
      const outcome = await runCase(c, env);
      const known = isKnown(c.id);
      settle(plan.indexOf(c), {
        id: c.id, requirement: c.requirement, file: c.file,
        outcome: outcome.ok ? "passed" : "failed", knownFailing: known, durationMs: outcome.durationMs,
        ...(outcome.reason === undefined ? {} : { reason: outcome.reason, trace: outcome.trace }),
      });
    };
    plan.forEach((c, i) => {
      if (selected(c.id)) return;
      const reason = picked(c.id) ? inexpressible.get(c.id) : undefined;
      settle(i, { id: c.id, requirement: c.requirement, file: c.file, outcome: "skipped", knownFailing: isKnown(c.id), durationMs: 0, ...(reason === undefined ? {} : { reason }) });
    });
    await mapConcurrent(toRun.filter((c) => !c.exclusive), options.concurrency ?? 6, runOne);
    await mapConcurrent(toRun.filter((c) => c.exclusive), 1, runOne);
  } finally {
    await dispatcher.destroy();
    await ownTransport?.close();
  }

  const all = results.filter((r): r is CaseResult => r !== undefined);
  const count = (o: CaseResult["outcome"]): number => all.filter((r) => r.outcome === o).length;
  const report: ConformanceReport = {
    url: options.url,
    client,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    durationMs: Math.round(performance.now() - started),
    cases: all,
    unexpected: all.flatMap((r) => {
      if (r.outcome === "failed" && !r.knownFailing) return [{ id: r.id, reason: r.reason ?? "failed" }];
      if (r.outcome === "passed" && r.knownFailing) return [{ id: r.id, reason: "passed, but is listed as known failing: remove it from the list" }];
      return [];
    }),
  };
  if (options.jsonFile) writeFileSync(options.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  for (const r of all) {
    if (r.outcome === "failed" && !r.knownFailing) log(`UNEXPECTED ${r.id} (failed)`);
    if (r.outcome === "passed" && r.knownFailing) log(`UNEXPECTED ${r.id} (passed, but listed as known failing)`);
  }
  log(`${report.passed} passed, ${report.failed} failed${report.skipped > 0 ? `, ${report.skipped} skipped` : ""}`);
  return report;
}

// One request before the run, so an unreachable server is one clear error, not a failure per case.
async function preflight(url: string, dispatcher: Agent, token: string | undefined): Promise<void> {
  try {
    const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const res = await request(`${url.replace(/\/+$/, "")}/v1/health`, { dispatcher, headers, signal: AbortSignal.timeout(10_000) });
    await res.body.dump();
  } catch (error) {
    throw new Error(`cannot reach the server under test at ${url}: ${(error as Error).message}`);
  }
}

function selector(run: readonly string[] | undefined, skip: readonly string[] | undefined): (id: string) => boolean {
  const include = run && run.length > 0 ? picomatch([...run]) : () => true;
  const exclude = skip && skip.length > 0 ? picomatch([...skip]) : () => false;
  return (id) => include(id) && !exclude(id);
}

function printResult(r: CaseResult, trace: boolean, log: (line: string) => void): void {
  if (r.outcome === "skipped") return log(r.reason === undefined ? `SKIP ${r.id}` : `SKIP ${r.id}: ${r.reason}`);
  const known = r.knownFailing ? " (known failing)" : "";
  if (r.outcome === "passed") return log(`PASS ${r.id}${known}`);
  log(`FAIL ${r.id}: ${r.reason ?? "failed"}${known}`);
  if (trace && r.trace) for (const line of formatTrace(r.trace)) log(line);
}
