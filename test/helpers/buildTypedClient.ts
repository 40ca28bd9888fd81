// What a front-end team does with a server of any stack: type its catalogue with
// generateFunctions, write a program against createClient<Functions>, compile it with tsc, run it.
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { generateFunctions } from "@polybridge/codegen";
import { runCommand, type Finished } from "./serverProcess.js";

const sdkDir = fileURLToPath(new URL("../../sdk", import.meta.url));

/** Options of {@link buildTypedClient}. */
export interface TypedClientOptions {
  /** A running server: its catalogue is typed, and the program's client calls it. */
  url: string;
  /** A new folder for functions.ts, main.ts and what tsc emits. */
  dir: string;
  /** Statements run with `client` (a `createClient<Functions>`) in scope; it is closed after them. */
  body: readonly string[];
  /** Expressions that must not compile (each gets a `@ts-expect-error`, in a function never called). */
  mustNotCompile: readonly string[];
}

/** The compiled program. */
export interface TypedClient {
  /** The generated `Functions` module. */
  functionsSource: string;
  /** tsc's messages: empty when the body compiles and every `mustNotCompile` expression is an error. */
  diagnostics: string[];
  /** Runs the emitted main.js with node (bounded by `timeoutMs`). */
  run(timeoutMs?: number): Promise<Finished>;
}

/**
 * Generates `Functions` from a server's catalogue and compiles a small ESM program that uses it
 * through `@polybridge/sdk` (linked from this checkout). An unneeded `@ts-expect-error` is itself
 * a diagnostic, so a catalogue typed too loosely fails the check as surely as one typed wrongly.
 *
 * @example
 * const built = await buildTypedClient({ url, dir, body: ['console.log(await client.call("cube", 3));'], mustNotCompile: ['client.call("cube", "3")'] });
 * expect(built.diagnostics).toEqual([]);
 * expect((await built.run()).stdout).toBe("27\n");
 */
export async function buildTypedClient(options: TypedClientOptions): Promise<TypedClient> {
  const { dir } = options;
  await generateFunctions({ from: options.url, out: join(dir, "functions.ts") });
  // A package of its own that resolves the SDK the way an installed dependency would.
  await mkdir(join(dir, "node_modules", "@polybridge"), { recursive: true });
  await symlink(sdkDir, join(dir, "node_modules", "@polybridge", "sdk"), "dir");
  await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  const main = [
    'import { createClient } from "@polybridge/sdk";',
    'import type { Functions } from "./functions.js";',
    `const client = createClient<Functions>({ baseUrl: ${JSON.stringify(options.url)}, timeoutMs: 10_000 });`,
    "try {",
    ...options.body.map((line) => `  ${line}`),
    "} finally {",
    "  await client.close();",
    "}",
    "export function mustNotCompile(): void {",
    ...options.mustNotCompile.flatMap((expression) => ["  // @ts-expect-error the typed catalogue rejects this", `  void ${expression};`]),
    "}",
    "",
  ].join("\n");
  await writeFile(join(dir, "main.ts"), main);
  const program = ts.createProgram([join(dir, "main.ts")], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    skipLibCheck: true,
    types: [],
  });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  return {
    functionsSource: await readFile(join(dir, "functions.ts"), "utf8"),
    diagnostics,
    run: (timeoutMs = 20_000) => runCommand(process.execPath, [join(dir, "main.js")], { cwd: dir, timeoutMs }),
  };
}
