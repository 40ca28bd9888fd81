// Python spelling: identifiers, literals and docstrings for the generated client.

const KEYWORDS = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
  "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
  "return", "try", "while", "with", "yield", "match", "case", "type", "_",
]);

/** True when `name` can be written as a Python identifier (and is not a keyword). */
export function isPythonIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name);
}

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0);
}

/**
 * `countPrimes` → `count_primes`, `sha256` → `sha256`, `my-fn` → `my_fn`; a leading digit gets
 * `fn_`, a keyword a trailing `_`.
 *
 * @example
 * snakeCase("isEven"); // "is_even"
 */
export function snakeCase(name: string): string {
  let out = words(name).map((w) => w.toLowerCase()).join("_") || "fn";
  if (/^[0-9]/.test(out)) out = `fn_${out}`;
  return KEYWORDS.has(out) ? `${out}_` : out;
}

/**
 * `countPrimes` → `CountPrimes`, `word-count` → `WordCount`; a leading digit gets `T`.
 *
 * @example
 * pascalCase("sha256"); // "Sha256"
 */
export function pascalCase(name: string): string {
  const out = words(name).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("") || "T";
  return /^[0-9]/.test(out) ? `T${out}` : out;
}

/** A Python string literal (JSON's escapes are Python's too). */
export function pythonString(value: string): string {
  return JSON.stringify(value);
}

/** A JSON primitive as a Python literal, or undefined for arrays, objects and non-integral numbers. */
export function pythonLiteral(value: unknown): string | undefined {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return pythonString(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/** A docstring body: backslashes and triple quotes escaped, indented under `indent`. */
export function docstring(text: string, indent: string): string {
  const body = text.trim().replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"');
  const lines = body.split("\n");
  if (lines.length === 1) return `${indent}"""${body}"""`;
  return `${indent}"""${lines.map((l, i) => (i === 0 || l === "" ? l : indent + l)).join("\n")}\n${indent}"""`;
}

/** Picks `wanted`, or `wanted_2`, `wanted_3`… when taken; records the choice. */
export function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let i = 2; taken.has(name); i++) name = `${wanted}_${i}`;
  taken.add(name);
  return name;
}

/**
 * A `def` line at `indent`: on one line when it fits in 110 columns, else one parameter a line
 * (the layout black uses), so the overloads stay readable.
 *
 * @example
 * defLine("    ", "square", ["self", "value: float"], "float"); // "    def square(self, value: float) -> float:"
 */
export function defLine(indent: string, name: string, params: readonly string[], result: string): string {
  const line = `${indent}def ${name}(${params.join(", ")}) -> ${result}:`;
  if (line.length <= 110) return line;
  return `${indent}def ${name}(\n${params.map((p) => `${indent}    ${p},\n`).join("")}${indent}) -> ${result}:`;
}
