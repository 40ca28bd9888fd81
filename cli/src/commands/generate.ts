import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import { UsageError } from "../UsageError.js";
import { report } from "./report.js";

/** The protocol's own contract, from the installed @polybridge/spec (resolved, not loaded). */
function protocolSpec(): string {
  return fileURLToPath(import.meta.resolve("@polybridge/spec/openapi.yaml"));
}

const EXAMPLES = [
  "",
  "Examples:",
  "  polybridge generate --spec openapi.yaml --out src/gen",
  "  polybridge generate --spec openapi.yaml --out src/gen --check",
  "  polybridge generate --spec openapi.yaml --out src/gen --msw",
  "  polybridge generate --spec openapi.yaml --out src/api --client",
  "  polybridge generate --spec http://127.0.0.1:8080/v1/openapi.yaml --out src/remote",
  "  polybridge generate functions --from http://127.0.0.1:8080 --out src/gen/functions.ts",
  "  polybridge generate functions --from http://127.0.0.1:8080 --lang python --out compute_client.py",
  "  polybridge generate server --spec openapi.yaml --out .",
].join("\n");

/**
 * `polybridge generate` and its subcommands `functions` and `server`. Options are positional
 * (the program calls `enablePositionalOptions()`), so `generate functions --out F` gives `--out`
 * to `functions`, not to `generate`. The code generator (TypeScript, openapi-typescript) is
 * loaded only when one of them runs.
 *
 * @example
 * addGenerateCommand(new Command("polybridge").enablePositionalOptions());
 */
export function addGenerateCommand(program: Command): void {
  const generateCommand = program
    .command("generate")
    .description("generate types, zod schemas and an operation table from an OpenAPI 3.0/3.1 document; `functions` and `server` for a catalogue and handler stubs")
    .usage("--spec <file|url> --out <dir> [--msw] [--client] [--check]\n       polybridge generate functions|server [options]")
    .option("--spec <file|url>", "OpenAPI document (YAML or JSON): a file or an http(s) URL")
    .option("--out <dir>", "output directory (gets types.ts, schemas.ts, operations.ts, enums.ts; msw.ts with --msw; client.ts with --client)")
    .option("--msw", "also msw 2 handlers for every operation (msw.ts: createMockHandlers with typed mock.error/mock.reply; needs msw and zod)")
    .option("--client", "also write client.ts: a typed function per operation on @polybridge/sdk/runtime (install @polybridge/sdk)")
    .option("--check", "write nothing; exit 1 naming the files that differ from a fresh run")
    .addHelpText("after", EXAMPLES)
    .action(async (opts: { spec?: string; out?: string; msw?: boolean; client?: boolean; check?: boolean }, command: Command) => {
      if (opts.spec === undefined && opts.out === undefined) command.help({ error: true });
      if (opts.spec === undefined || opts.out === undefined) throw new UsageError("give both --spec and --out (see polybridge generate --help)");
      const check = opts.check ?? false;
      const { generate } = await import("@polybridge/codegen");
      const msw = opts.msw ?? false;
      const client = opts.client ?? false;
      const flags = `${msw ? " --msw" : ""}${client ? " --client" : ""}`;
      report(await generate({ spec: opts.spec, out: opts.out, check, msw, client }), check, `polybridge generate --spec ${opts.spec} --out ${opts.out}${flags}`);
    });

  generateCommand
    .command("functions")
    .description("type a server's function catalogue: TypeScript types so client.call(name, input) is checked at compile time, or (--lang python) a typed Python client")
    .requiredOption("--from <url|file>", "server URL (reads GET /v1/functions) or a saved catalogue JSON")
    .requiredOption("--out <file>", "file to write: TypeScript types (.ts), or with --lang python a client module (.py)")
    .addOption(
      new Option("--lang <lang>", "ts: a Functions type map for the SDK; python: a standard-library Python 3 client (functions, jobs, errors)")
        .choices(["ts", "python"])
        .default("ts"),
    )
    .addOption(new Option("--token <token>", "bearer token, for a server started with tokens").env("POLYBRIDGE_TOKEN"))
    .option("--check", "write nothing; exit 1 if the file differs")
    .action(async (opts: { from: string; out: string; lang: "ts" | "python"; token?: string; check?: boolean }) => {
      const codegen = await import("@polybridge/codegen");
      const check = opts.check ?? false;
      const generate = opts.lang === "python" ? codegen.generatePythonClient : codegen.generateFunctions;
      const command = `polybridge generate functions --from ${opts.from}${opts.lang === "ts" ? "" : " --lang python"} --out ${opts.out}`;
      report(await generate({ from: opts.from, out: opts.out, check, ...(opts.token ? { token: opts.token } : {}) }), check, command);
    });

  generateCommand
    .command("server")
    .description("typed fastify handler stubs for operations your spec adds beyond the protocol (hand-written handlers are never overwritten)")
    .requiredOption("--spec <file|url>", "your copy of the spec (a file or an http(s) URL)")
    .requiredOption("--out <dir>", "the project directory (writes src/gen/routes.ts and missing src/handlers/*.ts)")
    .option("--base-spec <file|url>", "the protocol's spec to compare against (default: the one in @polybridge/spec)")
    .option("--check", "write nothing; exit 1 if generated files differ")
    .action(async (opts: { spec: string; out: string; baseSpec?: string; check?: boolean }) => {
      const { generateServerStubs } = await import("@polybridge/codegen");
      const check = opts.check ?? false;
      const result = await generateServerStubs({ spec: opts.spec, out: opts.out, baseSpec: opts.baseSpec ?? protocolSpec(), check });
      console.log(`extra operations: ${result.extraOperations.join(", ") || "none"}`);
      if (result.handlersCreated.length > 0) console.log(`new handlers to write: ${result.handlersCreated.join(", ")}`);
      report(result, check, `polybridge generate server --spec ${opts.spec} --out ${opts.out}`);
    });
}
