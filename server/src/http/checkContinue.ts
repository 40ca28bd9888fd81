import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { problem } from "../ProblemError.js";

/**
 * Answers `Expect: 100-continue` with `413 payload_too_large` when the announced body is over
 * `bodyLimit` (the client then never sends it), and with `100 Continue` otherwise.
 *
 * @example
 * answerExpectContinue(app.server, 16 * 1024 * 1024);
 */
export function answerExpectContinue(server: Server, bodyLimit: number): void {
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers["content-length"]);
    if (Number.isFinite(length) && length > bodyLimit) {
      const body = JSON.stringify(problem("payload_too_large", `The body of ${length} bytes is over the limit of ${bodyLimit} bytes.`));
      res.writeHead(413, { "content-type": "application/problem+json", "content-length": Buffer.byteLength(body), connection: "close" });
      res.end(body);
      return;
    }
    res.writeContinue();
    server.emit("request", req, res);
  });
}
