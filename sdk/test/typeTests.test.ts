import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The type-level tests (`*.test-d.ts`) are compile-time assertions: run tsc over this folder with
// the repository's strict options, so they are enforced by `vitest run` whatever its typecheck setup.
function strictConfig(): ts.ParsedCommandLine {
  const configPath = fileURLToPath(new URL("./tsconfig.json", import.meta.url));
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
  if (!config) throw new Error(`cannot read ${configPath}`);
  return config;
}

function format(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
    return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
  });
}

describe("type-level tests", () => {
  it("sdk/test compiles under strict tsc (expectTypeOf and @ts-expect-error hold)", () => {
    const config = strictConfig();
    expect(config.fileNames.some((f) => f.endsWith("client.test-d.ts"))).toBe(true);
    expect(config.fileNames.some((f) => f.endsWith("jobs.test-d.ts"))).toBe(true);
    const program = ts.createProgram(config.fileNames, config.options);
    expect(format(ts.getPreEmitDiagnostics(program))).toEqual([]);
  });

  it("the README's typed example compiles, and each line it says does not compile is an error", () => {
    const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
    const block = /## Typed functions\n+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, "README has a ```ts block under ## Typed functions").toBeDefined();
    // `// client.…; // why` → `// @ts-expect-error why` + the statement: tsc reports an unneeded one.
    const lines = (block ?? "").split("\n").flatMap((line) => {
      const m = /^\/\/ (client\..*;)\s+\/\/ (.*)$/.exec(line);
      return m ? [`// @ts-expect-error ${m[2]}`, `void ${m[1]}`] : [line];
    });
    expect(lines.filter((l) => l.startsWith("// @ts-expect-error")).length).toBeGreaterThanOrEqual(8);
    // In memory, next to gen/functions.ts (this server's catalogue), so nothing else sees the file.
    const file = fileURLToPath(new URL("./readme-typed-example.ts", import.meta.url));
    const text = `${lines.join("\n")}\nexport {};\n`;
    const config = strictConfig();
    const host = ts.createCompilerHost(config.options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, version, onError, create) =>
      name === file ? ts.createSourceFile(name, text, version) : getSourceFile.call(host, name, version, onError, create);
    host.fileExists = (name) => name === file || fileExists.call(host, name);
    host.readFile = (name) => (name === file ? text : readFile.call(host, name));
    const program = ts.createProgram([file], config.options, host);
    expect(format(ts.getPreEmitDiagnostics(program, program.getSourceFile(file)))).toEqual([]);
  });
});
