import { CaseFailure } from "./CaseFailure.js";
import type { RawStep } from "./caseSchema.js";
import { captureInto } from "./captureInto.js";
import { expectExchange } from "./expectExchange.js";
import { parseBody } from "./HttpSession.js";
import { interpolate } from "./interpolate.js";
import { matchValue } from "./matchValue.js";
import type { RawRead } from "./rawHttp.js";
import type { Session } from "./Session.js";

/**
 * Runs a `raw` step: writes the text on a new connection, reads the responses (and, when
 * `expect.closed` is given, waits for the server to close), then checks `expect` on the first
 * response and `responses` on all of them. Captures start at `status`, `headers`, `body`,
 * `bodyText` (first response), `responses` and `closed`.
 *
 * @example
 * await runRawStep({ raw: { send: "GARBAGE\r\n\r\n", responses: 1, timeoutMs: 5000 }, expect: { status: 400, closed: true } }, http, vars);
 */
export async function runRawStep(step: RawStep, http: Session, vars: Record<string, unknown>): Promise<RawRead> {
  const raw = interpolate(step.raw, vars) as RawStep["raw"];
  const want = interpolate(step.expect ?? {}, vars) as NonNullable<RawStep["expect"]>;
  const label = `raw ${JSON.stringify(raw.send.slice(0, 60))}`;
  const read = await http.sendRaw(raw.send, raw.auth, { responses: raw.responses, untilClosed: want.closed === true, timeoutMs: raw.timeoutMs });
  const responses = read.responses.map((r) => ({ status: r.status, headers: r.headers, body: parseBody(r.text, r.headers["content-type"]), bodyText: r.text }));
  const first = responses[0];
  const problems: string[] = [];
  if (!first) problems.push(`no complete response within ${raw.timeoutMs} ms (${read.closed ? "the server closed the connection" : "the connection stayed open"}); received ${JSON.stringify(read.received.slice(0, 300))}`);
  else {
    const { status, headers, body, bodyText, elapsedMs } = want;
    problems.push(...expectExchange({ status, headers, body, bodyText, elapsedMs }, { ...first, text: first.bodyText, elapsedMs: read.elapsedMs }, {}));
  }
  if (want.responses !== undefined) problems.push(...matchValue(want.responses, responses, "responses"));
  if (want.closed !== undefined && want.closed !== read.closed) {
    problems.push(want.closed ? `expected the server to close the connection within ${raw.timeoutMs} ms` : "expected the connection to stay open, but the server closed it");
  }
  if (problems.length > 0) throw new CaseFailure(`${label}: ${problems.slice(0, 4).join("; ")}`);
  captureInto(vars, step.capture, { status: first?.status, headers: first?.headers, body: first?.body, bodyText: first?.bodyText, responses, closed: read.closed }, label);
  return read;
}
