import type { IncomingMessage } from "node:http";

/**
 * Reads and discards what is left of a request body (at most `maxBytes`), so a client still
 * sending an oversized body receives the 413 instead of a broken pipe.
 *
 * @example
 * await drainRequest(request.raw, 64 * 1024 * 1024);
 */
export function drainRequest(req: IncomingMessage, maxBytes: number): Promise<void> {
  if (req.complete || req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (): void => {
      req.off("data", onData).off("end", finish).off("error", finish).off("close", finish);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxBytes) finish();
    };
    req.on("data", onData).once("end", finish).once("error", finish).once("close", finish);
    req.resume();
  });
}
