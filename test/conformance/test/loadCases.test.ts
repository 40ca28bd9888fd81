import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { casesDir, loadCases } from "../src/loadCases.js";

const dirs: string[] = [];
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "conformance-cases-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const good = `
cases:
  - id: demo.health
    requirement: The health endpoint answers 200.
    steps:
      - request: { method: GET, path: /v1/health }
        expect: { status: 200 }
`;

describe("loadCases", () => {
  it("loads the bundled cases: at least 80, unique ids, each with a requirement", () => {
    const cases = loadCases(casesDir, ["concurrentWork", "diningPhilosophers", "walkJobPages"]);
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) expect(c.requirement.length).toBeGreaterThan(10);
  });

  it("parses a case with defaults filled in", () => {
    const [c] = loadCases(folder({ "a.yaml": good }));
    expect(c).toMatchObject({ id: "demo.health", file: "a.yaml", exclusive: false, timeoutMs: 30_000, finally: [] });
    expect(c?.steps[0]).toMatchObject({ request: { method: "GET", path: "/v1/health" } });
  });

  it("reports every problem at once: duplicates, typos, unknown codes, matchers and checks", () => {
    const bad = `
cases:
  - id: demo.one
    requirement: A first case that is fine.
    steps: [{ request: { path: /v1/health }, expect: { status: 200 } }]
  - id: demo.one
    requirement: A duplicate id of the first case.
    steps: [{ request: { path: /v1/health } }]
  - id: demo.three
    requirement: Uses a code the spec does not define.
    steps: [{ request: { path: /v1/health }, expect: { body: { code: no_such_code } } }]
  - id: demo.four
    requirement: Uses a matcher that does not exist.
    steps: [{ request: { path: /v1/health }, expect: { body: { a: { $bogus: 1 } } } }]
  - id: demo.five
    requirement: Calls a check nobody registered.
    steps: [{ check: nope }]
  - id: demo.six
    requirement: Has a typo in a request field.
    steps: [{ request: { path: /v1/health, bdy: {} } }]
  - id: demo.seven
    requirement: Has a step of no known kind.
    steps: [{ wait: 5 }]
`;
    const run = (): unknown => loadCases(folder({ "bad.yaml": bad }));
    expect(run).toThrow(/duplicate id demo\.one/);
    expect(run).toThrow(/error code 'no_such_code' is not in the spec's ErrorCode enum/);
    expect(run).toThrow(/unknown matcher \$bogus/);
    expect(run).toThrow(/unknown check 'nope'/);
    expect(run).toThrow(/bdy/);
    expect(run).toThrow(/a step needs one of request, sse, raw, sleep, check/);
  });

  it("names the file of a YAML syntax error", () => {
    expect(() => loadCases(folder({ "broken.yaml": "cases:\n  - id: x: y: z\n" }))).toThrow(/broken\.yaml/);
  });
});
