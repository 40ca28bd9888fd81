// The conformance suite as a test step: one call per stack instead of the same three lines.
import { runConformance } from "@polybridge/conformance";
import { expect } from "vitest";

/**
 * Runs the whole conformance suite against `url` and expects no unexpected outcome (a failure
 * not on the known-failing list, or a known failure that now passes) and a real number of passes,
 * so a suite that silently skipped everything cannot pass. The message lists the non-PASS lines.
 *
 * @example
 * await expectConformance(server.url);
 */
export async function expectConformance(url: string, minimumPassed = 50): Promise<void> {
  const lines: string[] = [];
  const report = await runConformance({ url, log: (line) => lines.push(line) });
  expect(report.unexpected, lines.filter((line) => !line.startsWith("PASS")).join("\n")).toEqual([]);
  expect(report.passed).toBeGreaterThan(minimumPassed);
}
