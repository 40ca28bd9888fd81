import { Command, InvalidArgumentError, Option } from "commander";
import { runConformance } from "./runConformance.js";

// Repeatable and comma-separable: `--run 'jobs.*' --run call.square` or `--run 'jobs.*,call.*'`.
const collect = (value: string, previous: string[]): string[] => [...previous, ...value.split(",").filter(Boolean)];

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
};

/**
 * The `conformance` command (flags `--url --token --other-token --client --run --skip --known-failing --trace --json --concurrency`),
 * shared by the standalone `polybridge-conformance` bin and `polybridge conformance`.
 *
 * @example
 * program.addCommand(conformanceCommand("conformance"));
 */
export function conformanceCommand(name: string): Command {
  return new Command(name)
    .description("Run the polybridge conformance suite against a server (exit 0 only when nothing unexpected happened).")
    .requiredOption("--url <url>", "base URL of the server under test, e.g. http://127.0.0.1:8080")
    .option("--token <token>", "bearer token the server accepts: sent on every request, and the auth cases run (skipped without it)")
    .option("--other-token <token>", "a second accepted token (another tenant): also run the tenant-separation cases")
    .addOption(new Option("--client <client>", "what sends the requests: raw HTTP, or the TypeScript SDK (@polybridge/sdk)").choices(["http", "sdk"]).default("http"))
    .option("--run <globs>", "only run cases whose id matches (repeatable, comma-separated)", collect, [])
    .option("--skip <globs>", "skip cases whose id matches (repeatable, comma-separated)", collect, [])
    .option("--known-failing <file>", "file listing case ids/globs expected to fail")
    .option("--trace", "print the wire trace of failing cases", false)
    .option("--json <file>", "also write the report as JSON")
    .option("--concurrency <n>", "cases in flight at once", positiveInt, 6)
    .action(async (opts: { url: string; token?: string; otherToken?: string; client: "http" | "sdk"; run: string[]; skip: string[]; knownFailing?: string; trace: boolean; json?: string; concurrency: number }) => {
      const report = await runConformance({
        url: opts.url, client: opts.client, run: opts.run, skip: opts.skip, trace: opts.trace, concurrency: opts.concurrency,
        ...(opts.token === undefined ? {} : { token: opts.token }),
        ...(opts.otherToken === undefined ? {} : { otherToken: opts.otherToken }),
        ...(opts.knownFailing === undefined ? {} : { knownFailing: opts.knownFailing }),
        ...(opts.json === undefined ? {} : { jsonFile: opts.json }),
      });
      process.exitCode = report.unexpected.length === 0 ? 0 : 1;
    });
}

