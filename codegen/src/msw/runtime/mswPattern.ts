import type { MockRandom } from "./mswRandom.js";

// A tiny regular-expression *generator* for `pattern` keywords: literals, escapes (\d \w \s and
// escaped punctuation), `.`, classes with ranges and negation, groups with alternation, anchors
// and the quantifiers ? * + {n} {n,} {n,m}. Backreferences and lookarounds are not supported:
// the caller then falls back to other data and checks the result against the pattern anyway.

type Node =
  | { kind: "chars"; chars: string }
  | { kind: "alt"; options: Node[][] }
  | { kind: "repeat"; node: Node; min: number; max: number };

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
const CLASSES: Record<string, string> = {
  d: "0123456789",
  w: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
  s: " ",
  D: "abcxyz",
  W: "-.!",
  S: "abc123",
};
const UNSUPPORTED = new Error("unsupported pattern");

function parse(source: string): Node[] {
  let i = 0;
  const escape = (): string => {
    const c = source[i++];
    if (c === undefined) throw UNSUPPORTED;
    if (c in CLASSES) return CLASSES[c] as string;
    if (/[1-9bBkpPu]/.test(c)) throw UNSUPPORTED;
    return ({ n: "\n", t: "\t", r: "\r" } as Record<string, string>)[c] ?? c;
  };
  const klass = (): string => {
    const negate = source[i] === "^";
    if (negate) i++;
    let set = "";
    while (i < source.length && source[i] !== "]") {
      let from = source[i++] as string;
      if (from === "\\") from = escape();
      if (from.length === 1 && source[i] === "-" && source[i + 1] !== "]" && source[i + 1] !== undefined) {
        i++;
        let to = source[i++] as string;
        if (to === "\\") to = escape();
        for (let code = from.charCodeAt(0); code <= to.charCodeAt(0); code++) set += String.fromCharCode(code);
      } else set += from;
    }
    i++;
    return negate ? [...PRINTABLE].filter((c) => !set.includes(c)).join("") : set;
  };
  const sequence = (): Node[][] => {
    const options: Node[][] = [[]];
    while (i < source.length && source[i] !== ")") {
      const c = source[i++] as string;
      const current = options[options.length - 1] as Node[];
      let node: Node;
      if (c === "|") {
        options.push([]);
        continue;
      } else if (c === "^" || c === "$") continue;
      else if (c === "(") {
        if (source[i] === "?") {
          if (source[i + 1] !== ":") throw UNSUPPORTED;
          i += 2;
        }
        node = { kind: "alt", options: sequence() };
        i++;
      } else if (c === "[") node = { kind: "chars", chars: klass() };
      else if (c === "\\") node = { kind: "chars", chars: escape() };
      else if (c === ".") node = { kind: "chars", chars: CLASSES.w as string };
      else node = { kind: "chars", chars: c };
      const quantifier = /^(?:\?|\*|\+|\{(\d+)(,(\d*))?\})/.exec(source.slice(i));
      if (quantifier) {
        i += quantifier[0].length;
        if (source[i] === "?") i++;
        const q = quantifier[0];
        const min = q === "?" || q === "*" ? 0 : q === "+" ? 1 : Number(quantifier[1]);
        const max = q === "?" ? 1 : q === "*" || q === "+" ? min + 3 : quantifier[2] === undefined ? min : quantifier[3] ? Number(quantifier[3]) : min + 3;
        node = { kind: "repeat", node, min, max };
      }
      current.push(node);
    }
    return options;
  };
  return [{ kind: "alt", options: sequence() }];
}

function emit(nodes: readonly Node[], random: MockRandom): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "chars") out += node.chars.length === 0 ? "" : random.pick([...node.chars]);
    else if (node.kind === "alt") out += emit(random.pick(node.options), random);
    else for (let n = random.int(node.min, node.max); n > 0; n--) out += emit([node.node], random);
  }
  return out;
}

/**
 * A string matching `pattern` (an ECMAScript regular expression, unanchored as JSON Schema
 * says), or undefined when the pattern uses what this generator does not support.
 *
 * @example
 * mswPattern("^[a-z]{3}-\\d{2}$", mswRandom(1)); // e.g. "kqz-07"
 */
export function mswPattern(pattern: string, random: MockRandom): string | undefined {
  try {
    const text = emit(parse(pattern), random);
    return new RegExp(pattern, "u").test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
