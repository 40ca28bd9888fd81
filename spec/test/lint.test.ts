import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { operations, specPath } from "../src/index.js";

const run = promisify(execFile);

it("passes `redocly lint` with no errors", async () => {
  const cli = fileURLToPath(new URL("../../node_modules/@redocly/cli/bin/cli.js", import.meta.url));
  const { stdout, stderr } = await run(process.execPath, [cli, "lint", specPath, "--format=summary"], { env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } });
  // execFile rejects on a non-zero exit, which is how redocly reports errors.
  expect(`${stdout}${stderr}`).toContain("Your API description is valid");
  expect(`${stdout}${stderr}`).not.toMatch(/^error /m);
}, 60_000);

it("gives every operation an operationId, examples, and problem+json errors", () => {
  for (const op of operations().values()) {
    expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    const statuses = Object.keys(op.responses);
    expect(statuses.some((s) => s.startsWith("2")), `${op.operationId} has a success response`).toBe(true);
    for (const status of statuses.filter((s) => /^[45]/.test(s))) {
      expect(Object.keys(op.responses[status] ?? {}), `${op.operationId} ${status}`).toEqual(["application/problem+json"]);
    }
  }
});
