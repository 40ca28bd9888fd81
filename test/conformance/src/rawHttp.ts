import { connect } from "node:net";

/** One HTTP/1.1 response as parsed from the bytes a server sent. */
export interface RawResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as text (de-chunked), `""` for HEAD, 204 and 304. */
  text: string;
}

/** What a raw exchange saw: the complete responses, whether the server closed the socket, and when. */
export interface RawRead {
  responses: RawResponse[];
  /** The server ended the connection (FIN or reset) within the time allowed. */
  closed: boolean;
  elapsedMs: number;
  /** Everything received, for traces. */
  received: string;
}

/** How long to read, and when reading may stop before the server closes the socket. */
export interface RawLimits {
  /** Stop once this many complete responses arrived, unless `untilClosed`. */
  responses: number;
  /** Keep reading until the server closes the socket (or `timeoutMs` passes). */
  untilClosed: boolean;
  timeoutMs: number;
  signal: AbortSignal;
}

const REQUEST_LINE = /(?:^|\n)([A-Za-z]+) \S+ HTTP\/1\.[01]\r?\n/g;

/** The methods of the requests in `data`, in order (a response to HEAD has no body whatever its headers say). */
export function requestMethods(data: string): string[] {
  return [...data.matchAll(REQUEST_LINE)].map((m) => (m[1] ?? "").toUpperCase());
}

/**
 * Writes `data` byte for byte on a new TCP connection to `url`'s host and port and reads what
 * comes back, for what an HTTP client library will not send: malformed requests, pipelining,
 * `Connection: close` and whether the server really closes the socket afterwards.
 *
 * @example
 * const read = await rawHttp(new URL("http://127.0.0.1:8080"), "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
 *   { responses: 1, untilClosed: true, timeoutMs: 5000, signal: AbortSignal.timeout(10000) });
 * read.responses[0]?.status; // 200
 */
export function rawHttp(url: URL, data: string, limits: RawLimits): Promise<RawRead> {
  const methods = requestMethods(data);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let finished = false;
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 80) });
    const finish = (closed: boolean): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      limits.signal.removeEventListener("abort", onAbort);
      socket.destroy();
      const all = Buffer.concat(chunks);
      resolve({ responses: parseResponses(all, methods, closed).responses, closed, elapsedMs: Math.round(performance.now() - started), received: all.toString("utf8") });
    };
    const onAbort = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`aborted while reading the raw exchange (${Buffer.concat(chunks).length} bytes received)`));
    };
    const timer = setTimeout(() => finish(false), limits.timeoutMs);
    limits.signal.addEventListener("abort", onAbort, { once: true });
    socket.on("connect", () => socket.write(Buffer.from(data, "utf8")));
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      if (limits.untilClosed) return;
      const parsed = parseResponses(Buffer.concat(chunks), methods, false);
      if (parsed.responses.length >= limits.responses) finish(false);
    });
    // A reset after the answer is a close too (the server may close while unread request bytes remain).
    socket.on("end", () => finish(true));
    socket.on("close", () => finish(true));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET" || error.code === "EPIPE") finish(true);
      else if (!finished) {
        finished = true;
        clearTimeout(timer);
        limits.signal.removeEventListener("abort", onAbort);
        reject(error);
      }
    });
  });
}

/**
 * Parses the complete HTTP/1.1 responses at the start of `buf` (interim 1xx answers skipped);
 * a body without a length counts as complete only once the server closed the socket.
 *
 * @example
 * parseResponses(Buffer.from("HTTP/1.1 204 No Content\r\n\r\n"), ["GET"], false).responses[0]?.status; // 204
 */
export function parseResponses(buf: Buffer, methods: readonly string[], closed: boolean): { responses: RawResponse[] } {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = buf.indexOf("\r\n\r\n", at);
    if (end < 0) break;
    const lines = buf.subarray(at, end).toString("latin1").split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
    if (!m) break;
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    let next = end + 4;
    if (status >= 100 && status < 200) {
      at = next;
      continue;
    }
    const method = methods[responses.length] ?? "GET";
    let body: Buffer;
    if (method === "HEAD" || status === 204 || status === 304) body = Buffer.alloc(0);
    else if (/\bchunked\b/i.test(headers["transfer-encoding"] ?? "")) {
      const chunked = dechunk(buf, next);
      if (!chunked) break;
      ({ body, next } = chunked);
    } else if (headers["content-length"] !== undefined) {
      const length = Number(headers["content-length"]);
      if (buf.length < next + length) break;
      body = buf.subarray(next, next + length);
      next += length;
    } else {
      if (!closed) break;
      body = buf.subarray(next);
      next = buf.length;
    }
    responses.push({ status, headers, text: body.toString("utf8") });
    at = next;
  }
  return { responses };
}

function dechunk(buf: Buffer, from: number): { body: Buffer; next: number } | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buf.indexOf("\r\n", at);
    if (eol < 0) return undefined;
    const size = parseInt(buf.subarray(at, eol).toString("latin1").split(";")[0] ?? "", 16);
    if (!Number.isFinite(size)) return undefined;
    at = eol + 2;
    if (size === 0) {
      // Trailers end with an empty line.
      const trailerEnd = buf.indexOf("\r\n", at);
      if (trailerEnd < 0) return undefined;
      if (trailerEnd === at) return { body: Buffer.concat(parts), next: at + 2 };
      const end = buf.indexOf("\r\n\r\n", at);
      return end < 0 ? undefined : { body: Buffer.concat(parts), next: end + 4 };
    }
    if (buf.length < at + size + 2) return undefined;
    parts.push(buf.subarray(at, at + size));
    at += size + 2;
  }
}
