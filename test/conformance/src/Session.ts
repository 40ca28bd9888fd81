import type { TraceEntry } from "./formatTrace.js";
import type { Auth } from "./caseSchema.js";
import type { Exchange, SseLimits, SseRead, WireRequest } from "./HttpSession.js";
import type { RawLimits, RawRead } from "./rawHttp.js";

/**
 * What a case's steps and named checks talk to. `HttpSession` puts each request on the wire as
 * written; `SdkSession` drives the same request through `@polybridge/sdk`. Either throws a
 * `CaseFailure` when an answer breaks the contract, and records a wire trace.
 *
 * @example
 * async function health(session: Session): Promise<number> {
 *   return (await session.send({ method: "GET", path: "/v1/health" })).status;
 * }
 */
export interface Session {
  readonly trace: TraceEntry[];
  /** Sends one request and returns the checked response. */
  send(req: WireRequest): Promise<Exchange>;
  /** Reads a job's event stream until it ends or a limit is hit. */
  readEvents(req: WireRequest, limits: SseLimits): Promise<SseRead>;
  /** Writes raw request text on a new connection and reads the responses (raw HTTP mode only). */
  sendRaw(data: string, auth: Auth | undefined, limits: Omit<RawLimits, "signal">): Promise<RawRead>;
}
