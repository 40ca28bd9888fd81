import { CaseFailure } from "./CaseFailure.js";
import { getPath } from "./getPath.js";

/**
 * Copies values out of a step's outcome into the case variables: `{ id: "body.id" }` makes
 * `${id}` available to later steps. A path with nothing at it fails the case.
 *
 * @example
 * captureInto(vars, { id: "body.id" }, { status: 202, headers: {}, body: { id: "j1" } }, "POST /v1/jobs");
 */
export function captureInto(vars: Record<string, unknown>, capture: Record<string, string> | undefined, outcome: unknown, label: string): void {
  for (const [name, path] of Object.entries(capture ?? {})) {
    const value = getPath(outcome, path);
    if (value === undefined) throw new CaseFailure(`${label}: nothing to capture at '${path}' for \${${name}}`);
    vars[name] = value;
  }
}
