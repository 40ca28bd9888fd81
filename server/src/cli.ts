import { readFileSync } from "node:fs";
import {
  KNOWN_LANGUAGES,
  createProject,
  generate,
  generateFunctions,
  generateSdk,
  generateServerStubs,
  isLanguage,
  newCommandHelp,
} from "@polybridge/codegen";
import { conformanceCommand } from "@polybridge/conformance";
import { Command, InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BullMQExecutor } from "./distributed/BullMQExecutor.js";
import { startWorker } from "./distributed/startWorker.js";
import { startServer } from "./startServer.js";

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

/** Module paths given on the command line, relative to the working directory. */
function modulesFrom(paths: string[]): string[] {
  return paths.map((f) => pathToFileURL(resolve(f)).href);
}

const program = new Command("polybridge")
  .description("polybridge: compute over HTTP + JSON — reference server, codegen and conformance tools")
  .version((JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version)
  .showHelpAfterError();

program
  .command("serve")
  .description("run the reference server (embedded: one process, a worker pool, no external service)")
  .option("-p, --port <port>", "port to listen on (0 = any free port)", integer(0), Number(process.env.PORT ?? 8080))
  .option("-H, --host <host>", "interface to bind", process.env.HOST ?? "127.0.0.1")
  .option("-w, --workers <n>", "worker threads (default: all cores)", integer(1))
  .option("-f, --functions <module...>", "extra function modules to load")
  .option("--grace-ms <ms>", "on SIGTERM, how long running jobs may finish", integer(0), 10_000)
  .option("--max-running-jobs <n>", "jobs running at once", integer(1), 4)
  .option("--max-queued-jobs <n>", "jobs waiting before submissions get 503", integer(0), 256)
  .option("--job-ttl-ms <ms>", "how long finished jobs are kept", integer(1), 3_600_000)
  .option("--redis <url>", "scale out: run chunks on `polybridge worker` processes through Redis + BullMQ")
  .option("--parallelism <n>", "with --redis: worker threads of the whole fleet (default chunk sizing and concurrency)", integer(1), 8)
  .option("--log", "log requests (pino JSON lines)")
  .action(async (opts: {
    redis?: string;
    parallelism: number;
    port: number;
    host: string;
    workers?: number;
    functions?: string[];
    graceMs: number;
    maxRunningJobs: number;
    maxQueuedJobs: number;
    jobTtlMs: number;
    log?: boolean;
  }) => {
    let executor: BullMQExecutor | undefined;
    if (opts.redis) {
      executor = new BullMQExecutor({ redisUrl: opts.redis, parallelism: opts.parallelism });
      await executor.ready();
    }
    const server = await startServer({
      ...(executor ? { executor } : {}),
      port: opts.port,
      host: opts.host,
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.functions ? { functionModules: modulesFrom(opts.functions) } : {}),
      maxRunningJobs: opts.maxRunningJobs,
      maxQueuedJobs: opts.maxQueuedJobs,
      jobTtlMs: opts.jobTtlMs,
      logger: opts.log ?? false,
    });
    console.log(`polybridge listening on ${server.url}`);
    const stop = (signal: string): void => {
      console.log(`polybridge: ${signal}, finishing running jobs (up to ${opts.graceMs} ms)`);
      server.close(opts.graceMs).then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });

program
  .command("worker")
  .description("scale out: run chunks from the Redis + BullMQ queue of `polybridge serve --redis` on this machine's cores")
  .requiredOption("--redis <url>", "the Redis the server uses, e.g. redis://127.0.0.1:6379")
  .option("-w, --workers <n>", "worker threads (default: all cores)", integer(1))
  .option("-f, --functions <module...>", "extra function modules (the same ones the server loads)")
  .option("--lock-ms <ms>", "chunk lock; a dead worker's chunks are re-queued after it", integer(500), 30_000)
  .action(async (opts: { redis: string; workers?: number; functions?: string[]; lockMs: number }) => {
    const worker = await startWorker({
      redisUrl: opts.redis,
      lockDurationMs: opts.lockMs,
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.functions ? { functionModules: modulesFrom(opts.functions) } : {}),
    });
    console.log(`polybridge worker taking chunks from ${opts.redis}`);
    const stop = (): void => {
      worker.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });

/** Prints a generation result; with `--check`, drift is an error naming the files. */
function report(result: { written: string[]; drifted: string[] }, check: boolean): void {
  if (check) {
    if (result.drifted.length === 0) console.log("generated code is up to date");
    else {
      console.error(`generated code differs from a fresh run:\n  ${result.drifted.join("\n  ")}\nrun \`polybridge generate\` and commit the result`);
      process.exitCode = 1;
    }
  } else console.log(result.drifted.length === 0 ? "nothing changed" : `wrote ${result.drifted.join(", ")}`);
}

const generateCommand = program
  .command("generate")
  .description("generate types, zod schemas and an operation table from an OpenAPI 3.0/3.1 document (default: spec/openapi.yaml → sdk/src/gen)")
  .option("--spec <file>", "OpenAPI document (YAML or JSON)")
  .option("--out <dir>", "output directory")
  .option("--check", "write nothing; exit 1 naming the files that differ from a fresh run")
  .action(async (opts: { spec?: string; out?: string; check?: boolean }, command: Command) => {
    if ((opts.spec === undefined) !== (opts.out === undefined)) command.error("give both --spec and --out, or neither");
    const check = opts.check ?? false;
    report(opts.spec && opts.out ? await generate({ spec: opts.spec, out: opts.out, check }) : await generateSdk({ check }), check);
  });

generateCommand
  .command("functions")
  .description("type a server's function catalogue so client.call(name, input) is checked at compile time")
  .requiredOption("--from <url|file>", "server URL (reads GET /v1/functions) or a saved catalogue JSON")
  .requiredOption("--out <file>", "TypeScript file to write")
  .option("--check", "write nothing; exit 1 if the file differs")
  .action(async (opts: { from: string; out: string; check?: boolean }) => {
    report(await generateFunctions({ from: opts.from, out: opts.out, check: opts.check ?? false }), opts.check ?? false);
  });

generateCommand
  .command("server")
  .description("typed fastify handler stubs for operations your spec adds beyond the protocol (hand-written handlers are never overwritten)")
  .requiredOption("--spec <file>", "your copy of the spec")
  .requiredOption("--out <dir>", "the project directory (writes src/gen/routes.ts and missing src/handlers/*.ts)")
  .option("--base-spec <file>", "the protocol's spec to compare against (default: polybridge's spec/openapi.yaml)")
  .option("--check", "write nothing; exit 1 if generated files differ")
  .action(async (opts: { spec: string; out: string; baseSpec?: string; check?: boolean }) => {
    const result = await generateServerStubs({
      spec: opts.spec,
      out: opts.out,
      ...(opts.baseSpec === undefined ? {} : { baseSpec: opts.baseSpec }),
      check: opts.check ?? false,
    });
    console.log(`extra operations: ${result.extraOperations.join(", ") || "none"}`);
    if (result.handlersCreated.length > 0) console.log(`new handlers to write: ${result.handlersCreated.join(", ")}`);
    report(result, opts.check ?? false);
  });

program
  .command("new")
  .description("create a compute-server project (TypeScript, Python or Erlang/MochiWeb) that passes the conformance suite")
  .argument("<dir>", "directory to create (must be empty or missing)")
  .requiredOption("--lang <lang>", `one of ${KNOWN_LANGUAGES.join(", ")}`)
  .option("--name <name>", "project name (default: the directory's name)")
  .option("--port <port>", "default port of the new server", integer(1))
  .option("--server-dep <spec>", "npm spec of @polybridge/server for TypeScript projects (default: this checkout's server/)")
  .addHelpText("after", newCommandHelp)
  .action(async (dir: string, opts: { lang: string; name?: string; port?: number; serverDep?: string }, command: Command) => {
    if (!isLanguage(opts.lang)) command.error(`unknown language '${opts.lang}': use one of ${KNOWN_LANGUAGES.join(", ")}`);
    try {
      const created = await createProject({
        dir,
        lang: opts.lang,
        ...(opts.name === undefined ? {} : { name: opts.name }),
        ...(opts.port === undefined ? {} : { port: opts.port }),
        ...(opts.serverDep === undefined ? {} : { serverDep: opts.serverDep }),
      });
      console.log(`created ${created.name} (${created.lang}, port ${created.port}) in ${created.dir}: ${created.files.length} files; see its README.md`);
    } catch (error) {
      command.error(`polybridge new: ${(error as Error).message}`);
    }
  });

program.addCommand(conformanceCommand("conformance"));

await program.parseAsync(process.argv);
