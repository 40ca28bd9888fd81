import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { ErrorCode } from "@polybridge/spec";
import { problem } from "../ProblemError.js";

/** Node's parser and timeout errors, by `code`, as protocol problems. */
function problemFor(error: NodeJS.ErrnoException): { code: ErrorCode; detail: string } {
  switch (error.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { code: "request_timeout", detail: "The request was not received in time." };
    case "HPE_HEADER_OVERFLOW":
      return { code: "headers_too_large", detail: "The request headers are larger than the server accepts." };
    default:
      return { code: "malformed_request", detail: `The HTTP request could not be parsed (${error.code ?? "parse error"}${error.message ? `: ${error.message}` : ""}).` };
  }
}

/**
 * fastify's `clientErrorHandler`: errors Node raises before a request reaches a route (a garbage
 * request line, a bad `Content-Length`, headers too large, a body that never arrives) leave as
 * problem+json like every other error (`400 malformed_request`, `431 headers_too_large`, `408
 * request_timeout`), with `Connection: close`, then the connection closes. Also a Node HTTP
 * server's `clientError` listener, for anything else that serves the protocol over `node:http`.
 *
 * @example
 * Fastify({ clientErrorHandler });
 * createServer(handler).on("clientError", clientErrorHandler);
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  if (socket.writable) {
    const { code, detail } = problemFor(error);
    const body = JSON.stringify(problem(code, detail));
    const status = problem(code).status;
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
