// The commands a generated project's README tells its reader to run, read from its fenced
// sh blocks: install/build/test lines, and the block that starts the server in the background
// and runs the conformance suite against it.

/** What the README says to run, verbatim (comments dropped, `\` continuations joined). */
export interface ReadmeCommands {
  /** Install, build and test lines in README order, each once. */
  setup: string[];
  /** The background start line of the conformance block, without its `&`. */
  start: string;
  /** `npx @polybridge/cli conformance --url http://127.0.0.1:PORT` as written. */
  conformance: string;
  /** The port both of them name (the runner swaps it for a free one). */
  port: string;
}

const SETUP = [
  /^npm (install|ci|i)(\s|$)/,
  /^(pip3?|python3? -m pip) install\s/,
  /^npm run build$/,
  /^make$/,
  /^npm (test|run test)$/,
  /^make test$/,
  /^python3? -m (unittest|pytest)(\s|$)/,
  /^pytest(\s|$)/,
];

/** Every command line of the ```sh / ```bash / ```shell blocks, one list per block. */
export function shellBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  for (const match of markdown.matchAll(/^```(?:sh|bash|shell|console)\s*\n([\s\S]*?)^```/gm)) {
    const joined = (match[1] ?? "").replace(/\\\n\s*/g, " ");
    blocks.push(
      joined
        .split("\n")
        .map((line) => line.replace(/^\$\s+/, "").replace(/\s+#.*$/, "").trim())
        .filter((line) => line !== "" && !line.startsWith("#")),
    );
  }
  return blocks;
}

/**
 * Finds the README's own commands; throws naming what is missing.
 *
 * @example
 * const commands = readmeCommands(await readFile("svc/README.md", "utf8"));
 * for (const line of commands.setup) await run(line);
 */
export function readmeCommands(markdown: string): ReadmeCommands {
  const blocks = shellBlocks(markdown);
  const conformanceLine = /^npx @polybridge\/cli conformance --url http:\/\/127\.0\.0\.1:(\d+)$/;
  const block = blocks.find((lines) => lines.some((line) => conformanceLine.test(line)));
  if (!block) throw new Error("the README has no sh block running `npx @polybridge/cli conformance --url http://127.0.0.1:PORT`");
  const conformance = block.find((line) => conformanceLine.test(line)) ?? "";
  const port = conformanceLine.exec(conformance)?.[1] ?? "";
  const start = block.slice(0, block.indexOf(conformance)).findLast((line) => line.endsWith("&"));
  if (!start) throw new Error("the README's conformance block starts no server in the background (`… &`)");
  const setup: string[] = [];
  for (const lines of blocks) for (const line of lines) if (SETUP.some((re) => re.test(line)) && !setup.includes(line)) setup.push(line);
  return { setup, start: start.replace(/\s*&$/, ""), conformance, port };
}
