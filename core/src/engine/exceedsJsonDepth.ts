/**
 * True when JSON text nests arrays/objects deeper than `maxDepth` (brackets inside strings do
 * not count). A linear scan run before `JSON.parse`, so a few kB of `[[[[…` cannot cost a deep
 * recursion; shared by the server's body parser and the msw handlers.
 *
 * @example
 * exceedsJsonDepth('{"a":[[1]]}', 2); // true
 */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}
