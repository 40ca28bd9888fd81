import type { Session } from "../Session.js";

/** What a named check gets: the case's session (raw HTTP or the SDK; contract-checked, traced) and variables. */
export interface CheckContext {
  http: Session;
  vars: Record<string, unknown>;
}

/**
 * A case step written in TypeScript, for behaviour the YAML DSL cannot express well. It
 * throws a `CaseFailure` when the server misbehaves.
 *
 * @example
 * const check: NamedCheck = async ({ http }) => { await http.send({ method: "GET", path: "/v1/health" }); };
 */
export type NamedCheck = (ctx: CheckContext, args: Record<string, unknown>) => Promise<void>;
