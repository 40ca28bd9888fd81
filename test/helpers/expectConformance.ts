// The conformance suite as a test step: one call per stack instead of the same three lines.
import { runConformance } from "@polybridge/conformance";
import { expect } from "vitest";

/** Tokens of a server under test started with `POLYBRIDGE_AUTH_TOKENS="<token>,<otherToken>"`. */
export interface ConformanceAuth {
  /** Sent on every request; the auth cases run (without it they are skipped). */
  token?: string;
  /** A second tenant: the tenant-separation cases run too. */
  otherToken?: string;
}

/**
 * Runs the whole conformance suite against `url` and expects no unexpected outcome (a failure
 * not on the known-failing list, or a known failure that now passes) and a real number of passes,
 * so a suite that silently skipped everything cannot pass. The message lists the non-PASS lines.
 * With `auth`, every request carries the token and the auth cases run; with both tokens none may
 * be skipped.
 *
 * @example
 * await expectConformance(server.url);
 * await expectConformance(authServer.url, 50, { token: "t1", otherToken: "t2" });
 */
export async function expectConformance(url: string, minimumPassed = 50, auth: ConformanceAuth = {}): Promise<void> {
  const lines: string[] = [];
  const report = await runConformance({
    url,
    log: (line) => lines.push(line),
    ...(auth.token === undefined ? {} : { token: auth.token }),
    ...(auth.otherToken === undefined ? {} : { otherToken: auth.otherToken }),
  });
  expect(report.unexpected, lines.filter((line) => !line.startsWith("PASS")).join("\n")).toEqual([]);
  expect(report.passed).toBeGreaterThan(minimumPassed);
  if (auth.token !== undefined && auth.otherToken !== undefined) {
    expect(report.cases.filter((c) => c.outcome === "skipped").map((c) => c.id), "every auth case runs with both tokens").toEqual([]);
  }
}
