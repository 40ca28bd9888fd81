import {
  KNOWN_LANGUAGES,
  createProject,
  generate,
  generateFunctions,
  generateSdk,
  generateServerStubs,
  isLanguage,
  newCommandHelp,
} from "@polybridge/codegen";
import { conformanceCommand } from "@polybridge/conformance";
import type { Command } from "commander";
import { integer } from "./integer.js";

/** Prints a generation result; with `--check`, drift is an error naming the files. */
function report(result: { written: string[]; drifted: string[] }, check: boolean): void {
  if (check) {
    if (result.drifted.length === 0) console.log("generated code is up to date");
    else {
      console.error(`generated code differs from a fresh run:\n  ${result.drifted.join("\n  ")}\nrun \`polybridge generate\` and commit the result`);
      process.exitCode = 1;
    }
  } else console.log(result.drifted.length === 0 ? "nothing changed" : `wrote ${result.drifted.join(", ")}`);
}

/**
 * Adds the developer tools — `generate`, `new`, `conformance` — to the CLI. Kept apart so that
 * `serve` and `worker` never load the TypeScript compiler and the conformance suite.
 *
 * @example
 * registerToolCommands(new Command("polybridge"));
 */
export function registerToolCommands(program: Command): void {
  const generateCommand = program
    .command("generate")
    .description("generate types, zod schemas and an operation table from an OpenAPI 3.0/3.1 document (default: spec/openapi.yaml → sdk/src/gen)")
    .option("--spec <file>", "OpenAPI document (YAML or JSON)")
    .option("--out <dir>", "output directory")
    .option("--check", "write nothing; exit 1 naming the files that differ from a fresh run")
    .action(async (opts: { spec?: string; out?: string; check?: boolean }, command: Command) => {
      if ((opts.spec === undefined) !== (opts.out === undefined)) command.error("give both --spec and --out, or neither");
      const check = opts.check ?? false;
      report(opts.spec && opts.out ? await generate({ spec: opts.spec, out: opts.out, check }) : await generateSdk({ check }), check);
    });

  generateCommand
    .command("functions")
    .description("type a server's function catalogue so client.call(name, input) is checked at compile time")
    .requiredOption("--from <url|file>", "server URL (reads GET /v1/functions) or a saved catalogue JSON")
    .requiredOption("--out <file>", "TypeScript file to write")
    .option("--check", "write nothing; exit 1 if the file differs")
    .action(async (opts: { from: string; out: string; check?: boolean }) => {
      report(await generateFunctions({ from: opts.from, out: opts.out, check: opts.check ?? false }), opts.check ?? false);
    });

  generateCommand
    .command("server")
    .description("typed fastify handler stubs for operations your spec adds beyond the protocol (hand-written handlers are never overwritten)")
    .requiredOption("--spec <file>", "your copy of the spec")
    .requiredOption("--out <dir>", "the project directory (writes src/gen/routes.ts and missing src/handlers/*.ts)")
    .option("--base-spec <file>", "the protocol's spec to compare against (default: polybridge's spec/openapi.yaml)")
    .option("--check", "write nothing; exit 1 if generated files differ")
    .action(async (opts: { spec: string; out: string; baseSpec?: string; check?: boolean }) => {
      const result = await generateServerStubs({
        spec: opts.spec,
        out: opts.out,
        ...(opts.baseSpec === undefined ? {} : { baseSpec: opts.baseSpec }),
        check: opts.check ?? false,
      });
      console.log(`extra operations: ${result.extraOperations.join(", ") || "none"}`);
      if (result.handlersCreated.length > 0) console.log(`new handlers to write: ${result.handlersCreated.join(", ")}`);
      report(result, opts.check ?? false);
    });

  program
    .command("new")
    .description("create a compute-server project (TypeScript, Python or Erlang/MochiWeb) that passes the conformance suite")
    .argument("<dir>", "directory to create (must be empty or missing)")
    .requiredOption("--lang <lang>", `one of ${KNOWN_LANGUAGES.join(", ")}`)
    .option("--name <name>", "project name (default: the directory's name)")
    .option("--port <port>", "default port of the new server", integer(1))
    .option("--server-dep <spec>", "npm spec of @polybridge/server for TypeScript projects (default: this checkout's server/)")
    .addHelpText("after", newCommandHelp)
    .action(async (dir: string, opts: { lang: string; name?: string; port?: number; serverDep?: string }, command: Command) => {
      if (!isLanguage(opts.lang)) command.error(`unknown language '${opts.lang}': use one of ${KNOWN_LANGUAGES.join(", ")}`);
      try {
        const created = await createProject({
          dir,
          lang: opts.lang,
          ...(opts.name === undefined ? {} : { name: opts.name }),
          ...(opts.port === undefined ? {} : { port: opts.port }),
          ...(opts.serverDep === undefined ? {} : { serverDep: opts.serverDep }),
        });
        console.log(`created ${created.name} (${created.lang}, port ${created.port}) in ${created.dir}: ${created.files.length} files; see its README.md`);
      } catch (error) {
        command.error(`polybridge new: ${(error as Error).message}`);
      }
    });

  program.addCommand(conformanceCommand("conformance"));
}
