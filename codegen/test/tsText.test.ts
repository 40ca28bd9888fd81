// The text builders must write exactly what TypeScript's printer wrote for the same code (the
// generated files were printed by it before, and `npm run generate -- --check` compares bytes):
// the printer is the oracle here, fed random values.
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { addDoc, jsonLiteral, printModule } from "../src/tsBuilders.js";
import { docText, exportConstText, jsonText, moduleText, stringText } from "../src/tsText.js";

const f = ts.factory;

/** What the printer makes of `export const value = <expr>;`, with an optional doc comment. */
function printed(expr: ts.Expression, doc?: string): string {
  const statement = f.createVariableStatement(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    f.createVariableDeclarationList([f.createVariableDeclaration("value", undefined, undefined, expr)], ts.NodeFlags.Const),
  );
  return printModule("// header", [doc === undefined ? statement : addDoc(statement, doc)]);
}

const ours = (init: string, doc?: string): string => moduleText("// header", [exportConstText("value", init, doc === undefined ? {} : { doc })]);

describe("tsText", () => {
  it("escapes strings as the printer does: quotes, backslashes, controls, NUL before a digit, non-ASCII, lone surrogates", () => {
    const tricky = ['a "b" \\ c', "\0", "\x001", "\x00a", "\t\v\f\b\r\n", "\x7f\x80\x85", "\u2028\u2029", "é漢😀", "\ud800", "\udfff x", "*/", "${x}`'"];
    for (const text of tricky) expect(ours(stringText(text))).toBe(printed(f.createStringLiteral(text)));
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => ours(stringText(text)) === printed(f.createStringLiteral(text))),
      { numRuns: 500 },
    );
  });

  it("lays out JSON values as the printer does: objects over lines, arrays on one, nested items one level deeper", () => {
    const nested = { a: [{ b: 1, c: [{ d: null }, []] }, "x"], "not-an-id": { e: -0.5, f: 1e21, g: {} }, h: [[{ i: true }]] };
    expect(ours(jsonText(nested))).toBe(printed(jsonLiteral(nested)));
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const v = JSON.parse(JSON.stringify(value)) as unknown; // -0 becomes 0 in JSON, as in the documents we read
        return ours(jsonText(v)) === printed(jsonLiteral(v));
      }),
      { numRuns: 300 },
    );
  });

  it("writes doc comments as the printer does, one line or several", () => {
    for (const doc of ["One line.", "Two\nlines with */ inside", "  padded  \n\n  blank line above "]) {
      expect(ours("1", doc)).toBe(printed(f.createNumericLiteral(1), doc));
    }
    expect(docText("x")).toBe("/** x */\n");
  });

  it("refuses numbers JSON cannot carry", () => {
    expect(() => jsonText(Number.NaN)).toThrow(/non-finite/);
    expect(() => jsonText(() => 1)).toThrow(/cannot emit function/);
  });
});
