import { readFileSync } from "node:fs";

/**
 * Reads a known-failing list: one case id or glob per line; `#` starts a comment.
 *
 * @example
 * // known-failing.txt:
 * //   events.heartbeat        # our proxy buffers SSE
 * //   bad-input.too-large.*
 * readKnownFailing("known-failing.txt"); // ["events.heartbeat", "bad-input.too-large.*"]
 */
export function readKnownFailing(file: string): string[] {
  return readFileSync(file, "utf8")
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line !== "");
}
