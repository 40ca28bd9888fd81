/**
 * TypeScript source text for the generated files that get big (`schemas.ts`, `operations.ts`,
 * `enums.ts`, the mocks' tables), built as strings in the layout TypeScript's printer gives: on a
 * 1,223-operation document, building factory nodes and printing them cost half of our emitters'
 * time and much of the garbage collection. Object literals spread over lines with four-space
 * indentation, everything else stays on one line, and string literals are escaped as the printer
 * escapes them (`test/tsText.test.ts` checks both against the printer).
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** What the printer escapes in a double-quoted string: backslash, quote, controls, and every non-ASCII code unit. */
const ESCAPED = /[\\"\u0000-\u001f\u0080-\uffff]/g;
const NAMED_ESCAPES: Record<string, string> = { "\t": "\\t", "\v": "\\v", "\f": "\\f", "\b": "\\b", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"' };

function escapeChar(c: string, offset: number, input: string): string {
  if (c === "\0") {
    // `\0` followed by a digit would read as an octal escape.
    const next = input.charCodeAt(offset + 1);
    return next >= 48 && next <= 57 ? "\\x00" : "\\0";
  }
  return NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A double-quoted string literal.
 *
 * @example
 * stringText('a "b"'); // '"a \\"b\\""'
 */
export function stringText(text: string): string {
  return `"${text.replace(ESCAPED, escapeChar)}"`;
}

/** True when `name` can be written bare as a property name (ASCII identifiers only). */
export function isIdentifierName(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A property name: bare when it is an identifier, else a string literal. */
export function propertyText(name: string): string {
  return isIdentifierName(name) ? name : stringText(name);
}

/** Indents every line after the first by one level (the first follows what precedes it). */
const nested = (text: string): string => text.replaceAll("\n", "\n    ");

/**
 * An object literal of `key: value` (or shorthand) members, one per line.
 *
 * @example
 * objectText(["a: 1", "b"]); // "{\n    a: 1,\n    b\n}"
 */
export function objectText(members: readonly string[]): string {
  return members.length === 0 ? "{}" : `{\n    ${members.map(nested).join(",\n    ")}\n}`;
}

/**
 * An object literal on one line: `{ a: 1, b: 2 }`. A member that spans lines is indented one
 * level deeper, as the printer indents list items.
 */
export function inlineObjectText(members: readonly string[]): string {
  return members.length === 0 ? "{}" : `{ ${members.map(nested).join(", ")} }`;
}

/** An array literal on one line; an item that spans lines is indented one level deeper. */
export function arrayText(items: readonly string[]): string {
  return `[${items.map(nested).join(", ")}]`;
}

/**
 * A JSON value as a TypeScript expression; objects spread over lines, arrays stay on one.
 *
 * @example
 * jsonText({ a: [1, "x"] }); // '{\n    a: [1, "x"]\n}'
 */
export function jsonText(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return stringText(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot emit non-finite number ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return arrayText(value.map(jsonText));
  if (typeof value === "object") return objectText(Object.entries(value as Record<string, unknown>).map(([k, v]) => `${propertyText(k)}: ${jsonText(v)}`));
  throw new Error(`cannot emit ${typeof value}`);
}

/** `z.method(args)` */
export function zText(method: string, ...args: string[]): string {
  return `z.${method}(${args.join(", ")})`;
}

/** `target.method(args)` */
export function chainText(target: string, method: string, ...args: string[]): string {
  return `${target}.${method}(${args.join(", ")})`;
}

/** A `/** … *\/` comment line(s) for a declaration, text made safe for a block comment. */
export function docText(text: string): string {
  const lines = text.trim().replaceAll("*/", "*\\/").split("\n");
  return lines.length === 1 ? `/** ${lines[0]} */\n` : `/**\n${lines.map((l) => ` * ${l}`.trimEnd()).join("\n")}\n */\n`;
}

/** `export const name[: type] = init;`, with an optional doc comment. */
export function exportConstText(name: string, init: string, options: { type?: string; doc?: string } = {}): string {
  return `${options.doc ? docText(options.doc) : ""}export const ${name}${options.type ? `: ${options.type}` : ""} = ${init};`;
}

/** Statements as a module headed by the do-not-edit line; an empty module exports nothing. */
export function moduleText(header: string, statements: readonly string[]): string {
  return `${header}\n${(statements.length === 0 ? ["export {};"] : statements).join("\n")}\n`;
}
