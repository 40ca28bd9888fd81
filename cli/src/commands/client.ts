import { InvalidArgumentError, Option, type Command } from "commander";
import { integer } from "./integer.js";

// The client commands — call, run, jobs list|get|result|cancel|watch — talk to a running server
// through @polybridge/sdk. Defining them loads commander only; each action imports
// ../client/actions.js (the SDK, undici, cli-progress) when it runs.

/** Flags every client command takes. */
export interface ConnectionFlags {
  url: string;
  token?: string;
  json?: boolean;
}

/** How `run` and `jobs watch` show progress. */
export type ProgressMode = "auto" | "bar" | "lines" | "none";

/** The flags of `polybridge run`. */
export interface RunFlags extends ConnectionFlags {
  kind: "map" | "filter" | "fold" | "mapreduce";
  function: string;
  reducer?: string;
  range?: string;
  items?: string;
  chunkSize?: number;
  concurrency?: number;
  timeoutMs?: number;
  progress: ProgressMode;
}

/** The flags of `polybridge jobs list`. */
export interface ListFlags extends ConnectionFlags {
  status?: string;
  limit?: number;
  cursor?: string;
}

const KINDS = ["map", "filter", "fold", "mapreduce"];
const STATUSES = ["accepted", "running", "successful", "failed", "dismissed"];
const PROGRESS_MODES: ProgressMode[] = ["auto", "bar", "lines", "none"];

const EXIT_CODES = [
  "",
  "Exit codes: 0 success; 1 the job or function failed, the job was cancelled, or the server",
  "answered with another problem (one line on stderr: `code: detail`); 2 usage; 3 server",
  "unreachable (connection refused, DNS, timeout); 130 interrupted (Ctrl-C).",
].join("\n");

/** `parse`, then no more than `max`. */
function atMost(max: number, parse: (value: string) => number): (value: string) => number {
  return (value) => {
    const n = parse(value);
    if (n > max) throw new InvalidArgumentError(`expected an integer <= ${max}`);
    return n;
  };
}

/** --url, --token and --json, on one command. */
function connection(command: Command): Command {
  return command
    .addOption(new Option("--url <url>", "server URL").env("POLYBRIDGE_URL").default("http://127.0.0.1:8080"))
    .addOption(new Option("--token <token>", "bearer token, for a server started with tokens").env("POLYBRIDGE_TOKEN"))
    .option("--json", "print compact JSON for scripts (the output, result, job or list as the server sent it)")
    .addHelpText("after", EXIT_CODES);
}

function progressOption(): Option {
  return new Option("--progress <mode>", "progress on stderr: a bar (auto on a terminal), lines (auto otherwise) or none")
    .choices(PROGRESS_MODES)
    .default("auto");
}

/** Loads the actions only when a client command runs. */
async function actions(): Promise<typeof import("../client/actions.js")> {
  return import("../client/actions.js");
}

/**
 * Adds `polybridge call`, `polybridge run` and `polybridge jobs …` (list, get, result, cancel,
 * watch) to the program.
 *
 * @example
 * addClientCommands(new Command("polybridge").enablePositionalOptions());
 */
export function addClientCommands(program: Command): void {
  connection(
    program
      .command("call")
      .description("call a function once and print its output (pretty JSON; compact with --json)")
      .argument("<function>", "function name")
      .argument("<json>", "the input as JSON, or - to read it from stdin (a negative number: call F -- -5)")
      .option("--timeout-ms <ms>", "server-side bound on the call (504 call_timeout past it)", integer(1)),
  ).action(async (name: string, json: string, flags: ConnectionFlags & { timeoutMs?: number }) => (await actions()).callAction(name, json, flags));

  connection(
    program
      .command("run")
      .description("submit a job, show its progress on stderr, print its result on stdout; Ctrl-C cancels the job (exit 130)")
      .addOption(new Option("--kind <kind>", "job kind").choices(KINDS).makeOptionMandatory())
      .requiredOption("--function <name>", "the function (unary for map/filter, reducer for fold, emitter for mapreduce)")
      .option("--reducer <name>", "the reducer of a mapreduce job")
      .option("--range <start:end[:step]>", "input: the integers start, start+step, … below end, expanded by the server")
      .option("--items <file|->", "input: a JSON array (or one JSON value per line) from a file, or - for stdin")
      .option("--chunk-size <n>", "items per chunk", integer(1))
      .option("--concurrency <n>", "chunks of this job running at once", integer(1))
      .option("--timeout-ms <ms>", "bound on the whole job (it fails with job_timeout past it)", integer(1))
      .addOption(progressOption())
      .addHelpText("after", "\nExamples:\n  polybridge run --kind fold --function countPrimes --range 0:1000000\n  seq 1 100 | polybridge run --kind map --function square --items - --json"),
  ).action(async (flags: RunFlags) => (await actions()).runAction(flags));

  const jobs = program.command("jobs").description("list, inspect, cancel and watch jobs on a server");
  connection(
    jobs
      .command("list")
      .description("list jobs, newest first")
      .addOption(new Option("--status <status>", "only jobs with this status").choices(STATUSES))
      .option("--limit <n>", "page size (1..100, server default 20)", atMost(100, integer(1)))
      .option("--cursor <cursor>", "the next page (printed after a full page)"),
  ).action(async (flags: ListFlags) => (await actions()).listAction(flags));
  connection(jobs.command("get").description("a job's status, progress and options").argument("<id>", "job id")).action(
    async (id: string, flags: ConnectionFlags) => (await actions()).getAction(id, flags),
  );
  connection(jobs.command("result").description("a finished job's result").argument("<id>", "job id")).action(
    async (id: string, flags: ConnectionFlags) => (await actions()).resultAction(id, flags),
  );
  connection(jobs.command("cancel").description("cancel (dismiss) an accepted or running job").argument("<id>", "job id")).action(
    async (id: string, flags: ConnectionFlags) => (await actions()).cancelAction(id, flags),
  );
  connection(
    jobs
      .command("watch")
      .description("follow a job's progress until it ends, then print its result (Ctrl-C stops watching, the job keeps running)")
      .argument("<id>", "job id")
      .addOption(progressOption()),
  ).action(async (id: string, flags: ConnectionFlags & { progress: ProgressMode }) => (await actions()).watchAction(id, flags));
}
