import { connect } from "node:net";

/** A parsed HTTP response (header names lower-cased). */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** True when the response was cut short by `timeoutMs` (an open event stream, a hang). */
  timedOut: boolean;
}

/**
 * Builds the bytes of an HTTP/1.1 request with `Connection: close`. Header values are written as
 * latin1 so a test can send any byte 0x00–0xFF, which HTTP clients would refuse to write.
 */
export function requestBytes(method: string, path: string, headers: Readonly<Record<string, string>>, body?: string | Uint8Array): Buffer {
  const payload = body === undefined ? undefined : typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
  const lines = [`${method} ${path} HTTP/1.1`, "host: 127.0.0.1", "connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (payload) lines.push(`content-length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), payload ?? Buffer.alloc(0)]);
}

/**
 * Sends raw bytes over one TCP connection and parses the answer (Content-Length, chunked, or
 * until close). Raw sockets, not an HTTP client, so malformed requests reach the server as is and
 * the response is taken as the server wrote it. Rejects when no status line arrives at all.
 */
export function sendRaw(port: number, bytes: Uint8Array, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(chunks);
      const parsed = parseResponse(data, timedOut);
      if (parsed) resolve(parsed);
      else reject(new Error(timedOut ? `no response within ${timeoutMs} ms` : `connection closed without a response (${data.length} bytes)`));
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      // Stop as soon as a complete non-streaming response is in, keep-alive or not.
      const parsed = parseResponse(Buffer.concat(chunks), false);
      if (parsed?.complete) finish(false);
    });
    socket.on("end", () => finish(false));
    socket.on("close", () => finish(false));
    // A reset after the server answered (it closes on parse errors) still leaves the answer.
    socket.on("error", () => finish(false));
    socket.write(bytes);
  });
}

function parseResponse(data: Buffer, timedOut: boolean): (RawResponse & { complete: boolean }) | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "");
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  const status = Number(match[1]);
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    const { body, complete } = dechunk(rest);
    return { status, headers, body, timedOut, complete };
  }
  const length = headers["content-length"];
  if (length !== undefined) return { status, headers, body: rest.subarray(0, Number(length)), timedOut, complete: rest.length >= Number(length) };
  return { status, headers, body: rest, timedOut, complete: status === 204 || status === 304 };
}

function dechunk(data: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd < 0) return { body: Buffer.concat(parts), complete: false };
    const size = parseInt(data.subarray(at, lineEnd).toString("latin1"), 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), complete: false };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
    if (at > data.length) return { body: Buffer.concat(parts), complete: false };
  }
}
