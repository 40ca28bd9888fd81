import { exceedsJsonDepth } from "@polybridge/core/engine";
import { ProblemError } from "../ProblemError.js";

/**
 * Parses a JSON request body, refusing nesting deeper than `maxDepth` before JSON.parse
 * recurses into it.
 *
 * @example
 * parseJsonBody('{"a":[1]}', 64); // { a: [1] }
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (exceedsJsonDepth(text, maxDepth)) throw new ProblemError("nesting_too_deep", `JSON nesting is deeper than ${maxDepth} levels.`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProblemError("invalid_json", `The body is not valid JSON: ${(error as Error).message}`);
  }
}
