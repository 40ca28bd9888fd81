import { createClient, PolybridgeError, type Client, type ErrorCode, type Transport } from "@polybridge/sdk";
import type { RawRead } from "../rawHttp.js";
import { CaseFailure } from "../CaseFailure.js";
import type { Auth } from "../caseSchema.js";
import { bearerToken, redactHeaders, type Credentials } from "../credentials.js";
import type { TraceEntry } from "../formatTrace.js";
import type { Exchange, SseEvent, SseLimits, SseRead, WireRequest } from "../HttpSession.js";
import type { Session } from "../Session.js";
import { invokeSdk, type SdkResult } from "./invokeSdk.js";
import { NotExpressible } from "./NotExpressible.js";
import { recordingTransport } from "./recordingTransport.js";
import { sdkReadHeaders } from "./sdkReadHeaders.js";
import { toSdkCall, type SdkCall } from "./toSdkCall.js";
import { sseLimitTimer } from "../sseLimitTimer.js";

/** Codes the SDK gives when it got no usable answer, or refused one: never a server's verdict. */
const CLIENT_SIDE: ReadonlySet<ErrorCode> = new Set(["response_invalid", "timeout", "aborted", "network", "unknown"]);

// Longer than any case: the case's own signal is what ends a call, as in HTTP mode.
const CALL_TIMEOUT_MS = 300_000;

type WireResponse = NonNullable<TraceEntry["response"]>;

/**
 * The SDK side of one case: each request step becomes the typed `@polybridge/sdk` call that sends
 * it (see `toSdkCall` and `invokeSdk`), and each event stream is read with `jobs.events`. The
 * client runs with `validate: "strict"`, no retries and no stream reconnects, so a drifting
 * answer, or an SDK that mis-parses a valid one, fails the case with an `sdk:` reason.
 *
 * What a case then sees is what the SDK made of the answer: the body it resolved with (or the
 * error's `problem`), the status it got (cross-checked with how it settled), and only the
 * headers the SDK reads (`sdkReadHeaders`), using the SDK's own reading where it surfaces one.
 *
 * @example
 * const session = new SdkSession({ baseUrl, transport: undiciTransport(baseUrl), signal });
 * const res = await session.send({ method: "POST", path: "/v1/functions/square/call", body: { input: 3 } });
 * res.body; // { function: "square", output: 9, durationMs: … }
 */
export class SdkSession implements Session {
  readonly trace: TraceEntry[] = [];
  readonly #baseUrl: string;
  readonly #transport: Transport;
  readonly #signal: AbortSignal;
  readonly #credentials: Credentials | undefined;

  constructor(options: { baseUrl: string; transport: Transport; signal: AbortSignal; credentials?: Credentials | undefined }) {
    this.#baseUrl = options.baseUrl;
    this.#transport = options.transport;
    this.#signal = options.signal;
    this.#credentials = options.credentials;
  }

  /** Sends one request through its typed SDK call. */
  async send(req: WireRequest): Promise<Exchange> {
    const label = `${req.method} ${req.path}`;
    const call = expressed(req, label);
    const { client, warnings, entries } = this.#client(req.auth);
    const started = performance.now();
    let result: SdkResult | undefined;
    let error: PolybridgeError | undefined;
    try {
      result = await invokeSdk(client, call, { signal: this.#signal });
    } catch (e) {
      if (e instanceof NotExpressible) throw new CaseFailure(`${label}: not expressible through the SDK: ${e.message}`);
      error = PolybridgeError.from(e);
    }
    const elapsedMs = Math.round(performance.now() - started);
    drift(label, warnings);
    const wire = entries.at(-1)?.response;
    if (error) return { ...errorAnswer(label, error, wire), elapsedMs };
    return { ...successAnswer(label, wire, result?.replayed), body: result?.data, elapsedMs };
  }

  /** Raw bytes on a socket are below any client: cases with `raw` steps are skipped in SDK mode (`sdkSkipReason`). */
  sendRaw(): Promise<RawRead> {
    return Promise.reject(new CaseFailure("raw steps are not expressible through the SDK"));
  }

  /** Reads a job's events with `client.jobs.events(id, { lastEventId, heartbeatMs })`. */
  async readEvents(req: WireRequest, limits: SseLimits): Promise<SseRead> {
    const label = `SSE ${req.path}`;
    const call = expressed(req, label);
    if (call.operationId !== "streamJobEvents") throw new CaseFailure(`${label}: not expressible through the SDK: ${call.operationId} is not an event stream`);
    const id = call.path.id ?? "";
    const lastEventId = call.headers["last-event-id"];
    // The value exactly as the case wrote it ("500", "99", "fast"): the SDK puts it into the query
    // unchanged, so the server, not a conversion here, judges it.
    const heartbeatMs = call.query.heartbeatMs as unknown as number | undefined;
    const { client, warnings, entries } = this.#client(req.auth);
    const started = performance.now();
    const limit = sseLimitTimer(this.#signal, limits);
    const events: SseEvent[] = [];
    let error: PolybridgeError | undefined;
    try {
      // No reconnects: a stream that drops is the server's fault here, not something to paper over.
      const options = { signal: limit.signal, maxReconnects: 0, ...(lastEventId === undefined ? {} : { lastEventId }), ...(heartbeatMs === undefined ? {} : { heartbeatMs }) };
      for await (const e of client.jobs.events(id, options)) {
        events.push({ id: e.id, event: e.event, data: e.data });
        if (limits.maxEvents !== undefined && events.length >= limits.maxEvents) {
          limit.stop("maxEvents");
          break;
        }
      }
    } catch (e) {
      if (!limit.stopped) error = PolybridgeError.from(e);
    } finally {
      limit.dispose();
    }
    const elapsedMs = Math.round(performance.now() - started);
    drift(label, warnings);
    if (error) {
      if (events.length > 0) throw new CaseFailure(`sdk: ${label}: after ${events.length} events: ${error.code}: ${error.message}`);
      return { ...errorAnswer(label, error, entries.at(-1)?.response), elapsedMs, events, heartbeats: 0, closed: true };
    }
    if (limit.reason === "timeout") throw new CaseFailure(`event stream ${req.path} still open after ${limits.timeoutMs} ms (${events.length} events)`);
    // The stream's own answer; later entries are the SDK's polling fallback, if it fell back.
    const answer = successAnswer(label, entries[0]?.response, undefined);
    // The SDK does not surface `: heartbeat` comments; cases that count them are skipped.
    return { ...answer, body: undefined, elapsedMs, events, heartbeats: 0, closed: limit.reason === "closed" };
  }

  // A client per call, over the shared transport, so the recorded exchanges are this call's own;
  // the step's credentials are the client's `token` option, as a user would pass them.
  #client(auth: Auth | undefined): { client: Client; warnings: string[]; entries: TraceEntry[] } {
    const warnings: string[] = [];
    const entries: TraceEntry[] = [];
    const token = bearerToken(auth, this.#credentials);
    const transport = recordingTransport(this.#transport, (entry) => {
      entry.request.headers = redactHeaders(entry.request.headers, this.#credentials);
      entries.push(entry);
      this.trace.push(entry);
    });
    const client = createClient({
      baseUrl: this.#baseUrl, transport, retry: false, validate: "strict", timeoutMs: CALL_TIMEOUT_MS, onWarning: (w) => warnings.push(w),
      ...(token === undefined ? {} : { token }),
    });
    return { client, warnings, entries };
  }
}

function expressed(req: WireRequest, label: string): SdkCall {
  try {
    return toSdkCall(req);
  } catch (e) {
    if (e instanceof NotExpressible) throw new CaseFailure(`${label}: not expressible through the SDK: ${e.message}`);
    throw e;
  }
}

// Strict mode throws on drift in success answers but only warns on drift in error answers.
function drift(label: string, warnings: readonly string[]): void {
  if (warnings.length > 0) throw new CaseFailure(`sdk: ${label}: the SDK reports contract drift: ${warnings.join("; ")}`);
}

function successAnswer(label: string, wire: WireResponse | undefined, replayed: boolean | undefined): { status: number; headers: Record<string, string> } {
  if (!wire || wire.status < 200 || wire.status > 299) throw new CaseFailure(`sdk: ${label}: the SDK resolved, but the answer was HTTP ${wire?.status ?? "(none)"}`);
  const headers = readHeaders(wire);
  if (replayed !== undefined) {
    if (replayed) headers["idempotent-replayed"] = "true";
    else delete headers["idempotent-replayed"];
  }
  return { status: wire.status, headers };
}

function errorAnswer(label: string, error: PolybridgeError, wire: WireResponse | undefined): { status: number; headers: Record<string, string>; body: unknown } {
  const at = wire ? ` → ${wire.status}` : "";
  if (error.status === undefined || CLIENT_SIDE.has(error.code)) throw new CaseFailure(`sdk: ${label}${at}: ${error.code}: ${error.message}`);
  if (wire && wire.status !== error.status) throw new CaseFailure(`sdk: ${label}${at}: the SDK's error has status ${error.status}`);
  const headers = wire ? readHeaders(wire) : {};
  delete headers["retry-after"];
  if (error.retryAfterMs !== undefined) headers["retry-after"] = String(Math.round(error.retryAfterMs / 1000));
  return { status: error.status, headers, body: error.problem };
}

function readHeaders(wire: WireResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of sdkReadHeaders) {
    const value = wire.headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
