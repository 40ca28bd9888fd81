import ts from "typescript";

/**
 * Type-checks `files` the way the repository's strict tsconfig would (no emit) and returns the
 * diagnostics as readable lines; an empty list means they compile. `extra` adds stricter flags.
 */
export function compileTs(files: readonly string[], extra: ts.CompilerOptions = {}): string[] {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    declaration: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    ...extra,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
    return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
  });
}
