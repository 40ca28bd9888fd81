import { ProblemError } from "../ProblemError.js";

/**
 * Parses a JSON request body, refusing nesting deeper than `maxDepth` before JSON.parse
 * recurses into it (a few kB of `[[[[…` must not cost a stack overflow).
 *
 * @example
 * parseJsonBody('{"a":[1]}', 64); // { a: [1] }
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > maxDepth) throw new ProblemError("nesting_too_deep", `JSON nesting is deeper than ${maxDepth} levels.`);
    } else if (c === 93 || c === 125) depth--;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProblemError("invalid_json", `The body is not valid JSON: ${(error as Error).message}`);
  }
}
