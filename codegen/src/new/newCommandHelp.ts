import { KNOWN_LANGUAGES } from "./knownLanguages.js";

/**
 * Text after `polybridge new --help` (commander's `addHelpText("after", …)`).
 *
 * @example
 * program.command("new <dir>").addHelpText("after", newCommandHelp);
 */
export const newCommandHelp: string = [
  "",
  `Languages: ${KNOWN_LANGUAGES.join(", ")}. The project name (default: the folder's name, dashes`,
  "become underscores) must match ^[a-z][a-z0-9_]{0,39}$: it names Erlang modules and Python code.",
  "",
  "Examples:",
  "  polybridge new my-compute --lang ts",
  "  polybridge new calc --lang erlang --port 9000",
  "  polybridge new stats --lang python --name stats_server",
  "",
  "The project's README says how to start it, where functions go, and how to run its tests",
  "and the conformance suite (npx polybridge conformance --url http://127.0.0.1:PORT).",
].join("\n");
