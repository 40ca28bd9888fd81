/**
 * True when JSON text nests arrays/objects deeper than `maxDepth` (brackets inside strings do
 * not count). A linear scan run before `JSON.parse`, so a few kB of `[[[[…` cannot cost a deep
 * recursion; shared by the server's body parser and the msw handlers.
 *
 * @example
 * exceedsJsonDepth('{"a":[[1]]}', 2); // true
 */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  // Nesting deeper than maxDepth needs more than maxDepth opening brackets in all. Counting them
  // with indexOf (a memchr-speed search) settles a flat body, e.g. a 6.6 MB list of a million
  // numbers, in well under a millisecond where the character loop below took ~30 ms (as long
  // as JSON.parse). Brackets inside strings are counted too: that only sends a body to the loop.
  let brackets = countUpTo(text, "[", maxDepth + 1);
  if (brackets <= maxDepth) brackets += countUpTo(text, "{", maxDepth + 1 - brackets);
  if (brackets <= maxDepth) return false;
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

/** Occurrences of `char` in `text`, counting no further than `limit`. */
function countUpTo(text: string, char: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1 && n < limit; i = text.indexOf(char, i + 1)) n++;
  return n;
}
