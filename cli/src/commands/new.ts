import type { Command } from "commander";
import { serverVersion, shippedLanguages, templatesDir } from "../paths.js";
import { UsageError } from "../UsageError.js";
import { integer } from "./integer.js";
import { newCommandHelp } from "./newCommandHelp.js";

/**
 * `polybridge new <dir> --lang ts|python|erlang`: a server project from the templates shipped in
 * this package. A TypeScript project depends on `@polybridge/server` `^<installed version>`
 * unless `--server-dep` says otherwise. The project generator is loaded when the command runs.
 *
 * @example
 * addNewCommand(new Command("polybridge"));
 */
export function addNewCommand(program: Command): void {
  const languages = shippedLanguages();
  program
    .command("new")
    .description("create a compute-server project (TypeScript, Python or Erlang/MochiWeb) that passes the conformance suite")
    .argument("<dir>", "directory to create (must be empty or missing)")
    .requiredOption("--lang <lang>", `one of ${languages.join(", ") || "ts, python, erlang"}`)
    .option("--name <name>", "project name (default: the directory's name)")
    .option("--port <port>", "default port of the new server", integer(1))
    .option("--server-dep <spec>", "npm spec of @polybridge/server for a TypeScript project (default: ^<installed @polybridge/server version>)")
    .addHelpText("after", newCommandHelp(languages))
    .action(async (dir: string, opts: { lang: string; name?: string; port?: number; serverDep?: string }) => {
      if (languages.length === 0) throw new Error(`no templates in ${templatesDir}: this @polybridge/cli was built without them (npm run build copies server-template/)`);
      if (!languages.includes(opts.lang)) throw new UsageError(`unknown language '${opts.lang}': use one of ${languages.join(", ")}`);
      const { createProject } = await import("@polybridge/codegen");
      const created = await createProject({
        dir,
        lang: opts.lang,
        templatesDir,
        ...(opts.name === undefined ? {} : { name: opts.name }),
        ...(opts.port === undefined ? {} : { port: opts.port }),
        ...(opts.lang === "ts" ? { serverDep: opts.serverDep ?? `^${serverVersion()}` } : {}),
      });
      console.log(`created ${created.name} (${created.lang}, port ${created.port}) in ${created.dir}: ${created.files.length} files; see its README.md`);
    });
}
