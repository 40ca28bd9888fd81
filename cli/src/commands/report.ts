/**
 * Prints what a generation did; with `--check`, drift sets exit code 1 and names the files.
 *
 * @example
 * report(await generate({ spec, out, check }), check, "polybridge generate --spec api.yaml --out src/gen");
 */
export function report(result: { written: string[]; drifted: string[] }, check: boolean, rerun: string): void {
  if (check) {
    if (result.drifted.length === 0) console.log("generated code is up to date");
    else {
      console.error(`generated code differs from a fresh run: ${result.drifted.join(", ")} (run \`${rerun}\` without --check)`);
      process.exitCode = 1;
    }
  } else console.log(result.drifted.length === 0 ? "nothing changed" : `wrote ${result.drifted.join(", ")}`);
}
