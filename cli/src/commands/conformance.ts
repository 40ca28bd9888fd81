import type { Command } from "commander";

const DESCRIPTION = "Run the polybridge conformance suite against a server (exit 0 only when nothing unexpected happened).";

/**
 * `polybridge conformance`: the suite's own command from `@polybridge/conformance`, loaded only
 * when the command line names it; otherwise a placeholder keeps it in `polybridge --help`.
 *
 * @example
 * await addConformanceCommand(program, process.argv.slice(2).includes("conformance"));
 */
export async function addConformanceCommand(program: Command, load: boolean): Promise<void> {
  if (!load) {
    program.command("conformance").description(DESCRIPTION);
    return;
  }
  const { conformanceCommand } = await import("@polybridge/conformance");
  program.addCommand(conformanceCommand("conformance"));
}
