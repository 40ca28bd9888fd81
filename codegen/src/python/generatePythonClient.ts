import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { parseCatalogue, readCatalogue } from "../generateFunctions.js";
import { generatedHeader } from "../tsBuilders.js";
import { writeFiles, type GenerateResult } from "../writeFiles.js";
import { renderPythonClient } from "./renderPythonClient.js";

/** Options of {@link generatePythonClient}. */
export interface GeneratePythonClientOptions {
  /** A server's base URL (`http://127.0.0.1:8080`) or the path of a saved `GET /v1/functions` answer. */
  from: string;
  /** The `.py` file to write (a directory gets `compute_client.py`). */
  out: string;
  /** Write nothing; report in `drifted` whether the file differs. */
  check?: boolean;
  /** Bearer token for a server started with tokens. */
  token?: string;
  /** Inject `fetch` (tests); defaults to the global one. */
  fetch?: typeof globalThis.fetch;
}

// The protocol part of the module, shipped in the package's src/ (next to this file's source).
const RUNTIME = new URL("../../src/python/runtime.py", import.meta.url);

/**
 * Writes a typed, standard-library-only Python 3 client for a server's function catalogue:
 * `Client(base_url, token=…, timeout=…)` with `client.functions.<name>(…)` per entry (typed with
 * `TypedDict`s and hints from its JSON Schemas), `client.jobs.run/submit(kind, function, items)`
 * overloaded per function (typed results, `Job` handles with SSE progress and polling fallback,
 * `cancel`, `result`), `ProblemError`, timeouts and safe retries.
 *
 * @example
 * await generatePythonClient({ from: "http://127.0.0.1:8080", out: "compute_client.py" });
 * // then: from compute_client import Client; Client("http://127.0.0.1:8080").functions.square(3)
 */
export async function generatePythonClient(options: GeneratePythonClientOptions): Promise<GenerateResult> {
  const entries = parseCatalogue(await readCatalogue(options.from, options.fetch ?? globalThis.fetch, options.token), options.from);
  const header = generatedHeader("the function catalogue (GET /v1/functions)").replace(/^\/\//, "#");
  const text = renderPythonClient(entries, await readFile(RUNTIME, "utf8"), header);
  const file = options.out.endsWith(".py") ? options.out : `${options.out.replace(/\/$/, "")}/compute_client.py`;
  return writeFiles(dirname(file), new Map([[basename(file), text]]), options.check ?? false, () => false);
}
