import { createParser } from "eventsource-parser";
import { request, type Dispatcher } from "undici";
import { parse as parseYaml } from "yaml";
import { CaseFailure } from "./CaseFailure.js";
import type { Auth } from "./caseSchema.js";
import type { ContractChecker } from "./createContractChecker.js";
import { bearerToken, redactHeaders, type Credentials } from "./credentials.js";
import { paddedJobBody } from "./generateBody.js";
import type { TraceEntry } from "./formatTrace.js";
import type { Session } from "./Session.js";
import { rawHttp, type RawLimits, type RawRead } from "./rawHttp.js";
import { sseLimitTimer } from "./sseLimitTimer.js";

/** A request after interpolation: ready to go on the wire. */
export interface WireRequest {
  method: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: unknown;
  bodyRaw?: string;
  bodyBytes?: number;
  /** Whose credentials to send (default: the run's token, if any). */
  auth?: Auth | undefined;
}

/** One request and its response, with the body parsed when it is JSON. */
export interface Exchange {
  status: number;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: unknown;
  /** The body exactly as received (raw HTTP mode only; the SDK hands over parsed values). */
  text?: string;
  elapsedMs: number;
}

/** One Server-Sent Event as received. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/** The outcome of reading an event stream. */
export interface SseRead extends Exchange {
  events: SseEvent[];
  heartbeats: number;
  /** True when the server ended the stream; false when we stopped reading. */
  closed: boolean;
}

/** How long to read an event stream. */
export interface SseLimits {
  maxEvents?: number | undefined;
  durationMs?: number | undefined;
  timeoutMs: number;
}

const EXCERPT = 2_000;

/**
 * The HTTP side of one case: sends requests to the server under test, checks every response
 * against the contract (throwing a {@link CaseFailure} on a break) and records a wire trace.
 *
 * @example
 * const http = new HttpSession({ baseUrl, dispatcher, contract, signal });
 * const res = await http.send({ method: "GET", path: "/v1/health" });
 */
export class HttpSession implements Session {
  readonly trace: TraceEntry[] = [];
  readonly #baseUrl: string;
  readonly #dispatcher: Dispatcher;
  readonly #contract: ContractChecker;
  readonly #signal: AbortSignal;
  readonly #credentials: Credentials | undefined;

  constructor(options: { baseUrl: string; dispatcher: Dispatcher; contract: ContractChecker; signal: AbortSignal; credentials?: Credentials | undefined }) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#dispatcher = options.dispatcher;
    this.#contract = options.contract;
    this.#signal = options.signal;
    this.#credentials = options.credentials;
  }

  /** Sends one request and returns the checked response. */
  async send(req: WireRequest): Promise<Exchange> {
    const { headers, payload } = encode(req, this.#credentials);
    const entry = this.#record(req, headers, payload);
    const started = performance.now();
    const res = await this.#request(req, headers, payload, this.#signal, entry);
    const text = await res.body.text();
    const exchange: Exchange = {
      status: res.statusCode,
      headers: flatten(res.headers),
      body: parseBody(text, res.headers["content-type"]),
      text,
      elapsedMs: Math.round(performance.now() - started),
    };
    entry.response = { status: exchange.status, headers: exchange.headers, body: excerpt(text) };
    this.#checkContract(req, exchange, text);
    return exchange;
  }

  /** Opens an event stream and reads it until the server closes it or a limit is hit. */
  async readEvents(req: WireRequest, limits: SseLimits): Promise<SseRead> {
    const { headers, payload } = encode({ ...req, headers: { accept: "text/event-stream", ...req.headers } }, this.#credentials);
    const entry = this.#record(req, headers, payload);
    const started = performance.now();
    const limit = sseLimitTimer(this.#signal, limits);
    try {
      const res = await this.#request(req, headers, payload, limit.signal, entry);
      const base = { status: res.statusCode, headers: flatten(res.headers) };
      if (!(base.headers["content-type"] ?? "").startsWith("text/event-stream")) {
        const text = await res.body.text();
        const read: SseRead = { ...base, body: parseBody(text, base.headers["content-type"]), elapsedMs: Math.round(performance.now() - started), events: [], heartbeats: 0, closed: true };
        entry.response = { ...base, body: excerpt(text) };
        this.#checkContract(req, read);
        return read;
      }
      const events: SseEvent[] = [];
      const broken: string[] = [];
      let heartbeats = 0;
      let raw = "";
      const parser = createParser({
        onEvent: (e) => {
          let data: unknown;
          try {
            data = JSON.parse(e.data);
          } catch {
            broken.push(`event ${e.id ?? "?"} '${e.event ?? "message"}' data is not JSON: ${e.data.slice(0, 200)}`);
          }
          events.push({ id: e.id, event: e.event ?? "message", data });
        },
        onComment: (c) => void (c.trim() === "heartbeat" && heartbeats++),
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body) {
          const text = decoder.decode(chunk as Buffer, { stream: true });
          raw += text;
          parser.feed(text);
          if (limits.maxEvents !== undefined && events.length >= limits.maxEvents) {
            limit.stop("maxEvents");
            break;
          }
        }
      } catch (error) {
        if (!limit.stopped) throw error;
      }
      const read: SseRead = {
        ...base,
        body: raw,
        elapsedMs: Math.round(performance.now() - started),
        events: limits.maxEvents !== undefined ? events.slice(0, limits.maxEvents) : events,
        heartbeats,
        closed: limit.reason === "closed",
      };
      entry.response = { ...base, body: excerpt(raw) };
      this.#checkContract(req, { ...read, body: raw });
      const contract = read.events.flatMap((e) => this.#contract.event({ event: e.event, data: e.data }));
      if (broken.length + contract.length > 0) throw new CaseFailure(`contract: GET ${req.path} events: ${[...broken, ...contract].join("; ")}`);
      if (limit.reason === "timeout") throw new CaseFailure(`event stream ${req.path} still open after ${limits.timeoutMs} ms (${read.events.length} events)`);
      return read;
    } finally {
      limit.dispose();
    }
  }

  /**
   * Writes raw request text on a new connection (an `Authorization` line after each request line
   * when the step's credentials call for one) and reads the responses; the first is contract-checked
   * against the operation its request line names (a line that names none: the `Problem` rules).
   */
  async sendRaw(data: string, auth: Auth | undefined, limits: Omit<RawLimits, "signal">): Promise<RawRead> {
    const token = bearerToken(auth, this.#credentials);
    const text = token === undefined ? data : data.replace(/(^|\n)([A-Za-z]+ \S+ HTTP\/1\.[01]\r?\n)/g, `$1$2Authorization: Bearer ${token}\r\n`);
    const first = /^([A-Za-z]+) (\/\S*) HTTP\/1\.[01]\r?\n/.exec(text);
    const req: WireRequest = { method: first?.[1] ?? "RAW", path: first?.[2] ?? "/" };
    const entry = this.#record(req, {}, excerpt(token === undefined ? text : text.replaceAll(token, "<token>")));
    let read: RawRead;
    try {
      read = await rawHttp(new URL(this.#baseUrl), text, { ...limits, signal: this.#signal });
    } catch (error) {
      entry.error = String(error);
      throw new CaseFailure(`raw ${req.method} ${req.path}: ${(error as Error).message}`);
    }
    const res = read.responses[0];
    if (res) {
      entry.response = { status: res.status, headers: res.headers, body: excerpt(res.text) };
      if (first) this.#checkContract(req, { status: res.status, headers: res.headers, body: parseBody(res.text, res.headers["content-type"]), elapsedMs: read.elapsedMs }, res.text);
    } else entry.error = `no complete response (${read.closed ? "connection closed" : `nothing more within ${limits.timeoutMs} ms`}); received: ${excerpt(read.received)}`;
    return read;
  }

  async #request(req: WireRequest, headers: Record<string, string>, payload: string | undefined, signal: AbortSignal, entry: TraceEntry): Promise<Dispatcher.ResponseData> {
    try {
      return await request(this.#baseUrl + req.path, {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: payload,
        signal,
        dispatcher: this.#dispatcher,
      });
    } catch (error) {
      entry.error = String(error);
      if (this.#signal.aborted) throw new CaseFailure(`aborted during ${req.method} ${req.path} (case timeout)`);
      throw new CaseFailure(`${req.method} ${req.path}: transport error: ${(error as Error).message}`);
    }
  }

  #record(req: WireRequest, headers: Record<string, string>, payload: string | undefined): TraceEntry {
    const entry: TraceEntry = { request: { method: req.method, path: req.path, headers: redactHeaders(headers, this.#credentials), body: payload === undefined ? undefined : excerpt(payload) } };
    this.trace.push(entry);
    return entry;
  }

  #checkContract(req: WireRequest, res: Exchange, text?: string): void {
    // The contract describes the wire: a YAML body is checked as the text it is, not as what it parses to.
    const body = text !== undefined && isYaml(res.headers["content-type"]) ? text : res.body;
    const errors = this.#contract.response({ method: req.method, path: req.path, status: res.status, contentType: res.headers["content-type"], body });
    if (errors.length > 0) throw new CaseFailure(`contract: ${req.method} ${req.path} → ${res.status}: ${errors.join("; ")}`);
  }
}

// The step's own headers win over the run's credentials (a case may send an odd Authorization on purpose).
function encode(req: WireRequest, credentials: Credentials | undefined): { headers: Record<string, string>; payload: string | undefined } {
  const headers: Record<string, string> = {};
  const token = bearerToken(req.auth, credentials);
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = String(v);
  let payload: string | undefined;
  if (req.body !== undefined) payload = JSON.stringify(req.body);
  else if (req.bodyRaw !== undefined) payload = req.bodyRaw;
  else if (req.bodyBytes !== undefined) payload = paddedJobBody(req.bodyBytes);
  if (payload !== undefined) headers["content-type"] ??= "application/json";
  return { headers, payload };
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function isYaml(contentType: string | string[] | undefined): boolean {
  return /^(application|text)\/(x-)?yaml\b/.test(String(contentType ?? "").toLowerCase());
}

/**
 * JSON (and +json) bodies are parsed; so are YAML ones (the spec's own `GET /v1/openapi.yaml`),
 * so cases can match what they say. A body that does not parse stays text.
 *
 * @example
 * parseBody('{"a":1}', "application/json"); // { a: 1 }
 */
export function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  const type = String(contentType ?? "").toLowerCase();
  if (isYaml(type)) {
    try {
      return parseYaml(text) as unknown;
    } catch {
      return text;
    }
  }
  if (!/^application\/([a-z0-9.+-]*\+)?json/.test(type)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Cuts a body to what a trace shows. */
export function excerpt(text: string): string {
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}… (${text.length} chars)` : text;
}
