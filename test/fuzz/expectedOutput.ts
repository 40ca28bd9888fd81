import { createHash } from "node:crypto";

/** What PROTOCOL.md says a function does with one input: an output, a throw, or "not modelled". */
export type Expected = { output: unknown } | { throws: string } | undefined;

/** Lower-cased words, split on runs of non letters/digits (PROTOCOL.md, `tokenize`). */
export function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n < 4) return true;
  if (n % 2 === 0 || n % 3 === 0) return false;
  for (let d = 5; d * d <= n; d += 6) if (n % d === 0 || n % (d + 2) === 0) return false;
  return true;
}

/** A finite number, or undefined when JSON cannot carry the result (the spec has no NaN/Infinity). */
function finite(x: number): Expected {
  return Number.isFinite(x) ? { output: x } : undefined;
}

/**
 * An independent model of the built-in functions (PROTOCOL.md's table and the catalogue's
 * descriptions), for inputs that are valid for the function. Reducers take `[acc, item]` as in
 * `call`. Counting uses a Map, so words like "constructor" and "__proto__" are ordinary keys.
 *
 * @example
 * expectedOutput("wordFrequency", [{}, "constructor"]); // { output: { constructor: 1 } }
 */
export function expectedOutput(name: string, input: unknown): Expected {
  switch (name) {
    case "echo":
      return { output: input };
    case "square":
      return finite((input as number) * (input as number));
    case "isEven":
      return { output: (input as number) % 2 === 0 };
    case "sum": {
      const [a, b] = input as [number, number];
      return finite(a + b);
    }
    case "tokenize":
      return { output: words(input as string).map((w) => [w, 1]) };
    case "fail":
      return typeof input === "number" && input >= 0 ? { output: input } : { throws: `fail: ${JSON.stringify(input)}` };
    case "sleep":
      return { output: input };
    case "isPrime":
      return { output: isPrime(input as number) };
    case "countPrimes": {
      const [acc, n] = input as [number, number];
      return { output: acc + (isPrime(n) ? 1 : 0) };
    }
    case "sha256": {
      const { data, iterations = 1 } = input as { data: string; iterations?: number };
      let digest = createHash("sha256").update(data).digest("hex");
      for (let i = 1; i < iterations; i++) digest = createHash("sha256").update(digest).digest("hex");
      return { output: digest };
    }
    case "wordFrequency": {
      const [acc, text] = input as [Record<string, number>, string];
      // Input validation drops object keys named "__proto__" (zod's prototype-pollution guard,
      // docs/PROTOCOL.md "Functions and kinds"); every other key counts like a word.
      const counts = new Map(Object.entries(acc).filter(([key]) => key !== "__proto__"));
      for (const w of words(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
      return { output: Object.fromEntries(counts) };
    }
    default:
      return undefined;
  }
}

/** JSON text with object keys sorted, so `{a, b}` and `{b, a}` compare equal (own `__proto__` kept). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}
