import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The type-level tests (`*.test-d.ts`) are compile-time assertions: run tsc over this folder with
// the repository's strict options, so they are enforced by `vitest run` whatever its typecheck setup.
describe("type-level tests", () => {
  it("sdk/test compiles under strict tsc (expectTypeOf and @ts-expect-error hold)", () => {
    const configPath = fileURLToPath(new URL("./tsconfig.json", import.meta.url));
    const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
    if (!config) throw new Error(`cannot read ${configPath}`);
    expect(config.fileNames.some((f) => f.endsWith("client.test-d.ts"))).toBe(true);
    const program = ts.createProgram(config.fileNames, config.options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
      return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
    });
    expect(diagnostics).toEqual([]);
  });
});
