/** One HTTP request as the client hands it to a transport. */
export interface TransportRequest {
  method: string;
  /** Absolute URL (`http://host/v1/jobs?status=running`). */
  url: string;
  /** The same without the origin (`/v1/jobs?status=running`), for origin-bound pools. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body?: string;
  /** The caller's signal, when there is one. */
  signal?: AbortSignal | undefined;
  /** Time left for this attempt (headers and body); absent for streams and calls without a timeout. */
  timeoutMs?: number | undefined;
}

/** One HTTP answer; the body must be consumed once (json, text, stream) or discarded. */
export interface TransportResponse {
  status: number;
  /** A header value by lower-case name, or null. */
  header(name: string): string | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
  /** The raw body, for Server-Sent Events. */
  stream(): AsyncIterable<Uint8Array>;
  /** Drops the body so the connection can be reused. */
  discard(): Promise<void>;
}

/**
 * Sends requests. `fetchTransport` (browsers, or any injected `fetch`) and `undiciTransport`
 * (Node's default: a keep-alive pool) implement it; tests can implement it directly.
 */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Releases sockets (undici pool); a no-op for fetch. */
  close(): Promise<void>;
}
