import ts from "typescript";

/** The two module resolutions generated code must compile under. */
export const RESOLUTIONS = ["NodeNext", "Bundler"] as const;

/**
 * Type-checks `files` under the strictest settings a user's project may have (Vite's template
 * and `@tsconfig/strictest` among them): strict, noUncheckedIndexedAccess,
 * exactOptionalPropertyTypes, noUnusedLocals/Parameters, verbatimModuleSyntax, with `NodeNext`
 * or `Bundler` resolution. Returns the diagnostics as `file:line: message` (empty: it compiles).
 */
export function compileStrict(files: readonly string[], resolution: (typeof RESOLUTIONS)[number], extra: ts.CompilerOptions = {}): string[] {
  const nodeNext = resolution === "NodeNext";
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2023,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
    module: nodeNext ? ts.ModuleKind.NodeNext : ts.ModuleKind.ESNext,
    moduleResolution: nodeNext ? ts.ModuleResolutionKind.NodeNext : ts.ModuleResolutionKind.Bundler,
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitOverride: true,
    noFallthroughCasesInSwitch: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
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
