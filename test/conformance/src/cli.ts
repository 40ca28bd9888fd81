#!/usr/bin/env node
import { CommanderError } from "commander";
import { conformanceCommand } from "./conformanceCommand.js";

// Throw instead of exiting, so usage errors share exit code 2 with other setup failures.
const program = conformanceCommand("polybridge-conformance").exitOverride();

program.parseAsync(process.argv).catch((error: unknown) => {
  // commander has already printed its own message (and exits 0 for --help).
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  console.error(`polybridge-conformance: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
