/**
 * Text after `polybridge new --help` (commander's `addHelpText("after", …)`).
 *
 * @example
 * program.command("new <dir>").addHelpText("after", newCommandHelp(["erlang", "python", "ts"]));
 */
export function newCommandHelp(languages: readonly string[]): string {
  return [
    "",
    `Languages: ${languages.join(", ")}. The project name (default: the folder's name, dashes`,
    "become underscores) must match ^[a-z][a-z0-9_]{0,39}$: it names Erlang modules and Python code.",
    "A TypeScript project depends on @polybridge/server ^<the version this CLI runs with>.",
    "",
    "Examples:",
    "  npx @polybridge/cli new my-compute --lang ts",
    "  npx @polybridge/cli new calc --lang erlang --port 9000",
    "  npx @polybridge/cli new stats --lang python --name stats_server",
    "",
    "The project's README says how to start it, where functions go, and how to run its tests",
    "and the conformance suite (npx @polybridge/cli conformance --url http://127.0.0.1:PORT).",
  ].join("\n");
}
