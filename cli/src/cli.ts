import { Command, CommanderError } from "commander";
import { CommandFailure } from "./CommandFailure.js";
import { addClientCommands } from "./commands/client.js";
import { addConformanceCommand } from "./commands/conformance.js";
import { addGenerateCommand } from "./commands/generate.js";
import { addNewCommand } from "./commands/new.js";
import { addServeCommand } from "./commands/serve.js";
import { addWorkerCommand } from "./commands/worker.js";
import { cliVersion } from "./paths.js";

// Every command is defined here with commander alone; what a command needs (fastify and the
// worker pool for serve/worker, TypeScript and openapi-typescript for generate/new, the suite
// for conformance) is imported by its action, so `polybridge generate --help` loads no server.

/** `polybridge generate functions`, from a command object. */
function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** One line: commander's messages may carry a second line ("(Did you mean serve?)"). */
function oneLine(text: string): string {
  return text.replace(/^error: /, "").split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
}

/** Errors print as `polybridge <command>: <one line>` and throw instead of exiting (exit code 2 below). */
function configure(command: Command): void {
  command.exitOverride().configureOutput({
    outputError: (text, write) => write(`${pathOf(command)}: ${oneLine(text)}\n`),
  });
  for (const sub of command.commands) configure(sub);
}

const program = new Command("polybridge")
  .description("polybridge: compute over HTTP + JSON — reference server, code generation, project templates, the conformance suite and a client (call, run, jobs)")
  .version(cliVersion())
  .enablePositionalOptions();

addServeCommand(program);
addWorkerCommand(program);
addGenerateCommand(program);
addNewCommand(program);
await addConformanceCommand(program, process.argv.slice(2).includes("conformance"));
addClientCommands(program);
configure(program);

let running: Command = program;
program.hook("preAction", (_program, actionCommand) => {
  running = actionCommand;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has printed its message (or the help); --help and --version are not errors.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`${pathOf(running)}: ${oneLine(message)}`);
    if (process.env.POLYBRIDGE_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
    // A client command that ran but failed has its own code (1 failed, 3 unreachable, 130 Ctrl-C).
    process.exitCode = error instanceof CommandFailure ? error.exitCode : 2;
  }
}
