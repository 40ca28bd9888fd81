import type { CatalogueEntry } from "../generateFunctions.js";
import { isObject } from "../loadDocument.js";
import { PythonTypes } from "./PythonTypes.js";
import { defLine, docstring, pascalCase, pythonString, snakeCase, uniqueName } from "./pythonNames.js";

/** A function's Python types: what it takes (`in`), what it gives (`out`). */
interface Typed {
  entry: CatalogueEntry;
  method: string;
  input: { in: string; out: string };
  output: { in: string; out: string };
  rangeOk: boolean;
  /** Emitters: the key and value types of the pairs they emit. */
  pair?: { key: string; value: string };
}

const JOB_OPTIONS = [
  "chunk_size: Optional[int] = None",
  "concurrency: Optional[int] = None",
  "timeout_ms: Optional[int] = None",
  "wait: Optional[float] = None",
  "idempotency_key: Optional[str] = None",
  "timeout: Optional[float] = None",
];
const RUN_OPTIONS = [...JOB_OPTIONS, "on_progress: Optional[ProgressCallback] = None", "stream: bool = True"];

/**
 * The generated part of a Python client: the catalogue's TypedDicts, `Functions` (a method per
 * entry), `Jobs` (typed `run`/`submit` overloads per job kind and function) and `Client`.
 * `runtime` is the protocol part (runtime.py) placed before it.
 */
export function renderPythonClient(entries: readonly CatalogueEntry[], runtime: string, header: string): string {
  const types = new PythonTypes();
  const methods = new Set(["_call"]);
  const typed = entries.map((entry): Typed => {
    const base = pascalCase(entry.name);
    const input = {
      in: types.typeOf(entry.inputSchema, "in", `${base}Input`),
      out: types.typeOf(entry.inputSchema, "out", `${base}Input`),
    };
    const output = {
      in: types.typeOf(entry.outputSchema, "in", `${base}Output`),
      out: types.typeOf(entry.outputSchema, "out", `${base}Output`),
    };
    const t: Typed = { entry, method: uniqueName(snakeCase(entry.name), methods), input, output, rangeOk: types.acceptsIntegers(entry.inputSchema) };
    if (entry.kind === "emitter") t.pair = emittedPair(types, entry);
    return t;
  });
  const sections = [
    header,
    moduleDocstring(typed),
    runtime.trimEnd(),
    types.declarations(),
    renderFunctions(typed),
    renderJobs(typed),
    renderClient(typed),
  ].filter((s) => s.length > 0);
  return `${sections.join("\n\n\n")}\n`;
}

/** An emitter's output is a list of [key, value] pairs: their types, from `prefixItems` when given. */
function emittedPair(types: PythonTypes, entry: CatalogueEntry): { key: string; value: string } {
  const schema = entry.outputSchema;
  const pair = isObject(schema) && isObject(schema.items) ? schema.items : undefined;
  const prefix = pair && Array.isArray(pair.prefixItems) ? pair.prefixItems : undefined;
  const base = `${pascalCase(entry.name)}Emitted`;
  return {
    key: prefix?.[0] === undefined ? "Union[str, float]" : types.typeOf(prefix[0], "out", `${base}Key`, schema),
    value: prefix?.[1] === undefined ? "JsonValue" : types.typeOf(prefix[1], "out", `${base}Value`, schema),
  };
}

function moduleDocstring(typed: readonly Typed[]): string {
  const example = typed.find((t) => t.entry.kind === "unary");
  return docstring(
    [
      "A typed client for a polybridge compute server, generated from its function catalogue.",
      "",
      `Functions: ${typed.map((t) => t.entry.name).join(", ") || "none"}.`,
      "Regenerate with ``polybridge generate functions --from URL --lang python --out FILE.py``.",
      "Standard library only (Python 3.8+).",
      "",
      "Example::",
      "",
      `    client = Client("http://127.0.0.1:8080", token=None, timeout=30)`,
      ...(example ? [`    client.functions.${example.method}(...)            # one call`, `    client.jobs.run("map", ${pythonString(example.entry.name)}, [...])   # a parallel job`] : []),
    ].join("\n"),
    "",
  );
}

const CALL_OPTIONS = ["*", "timeout: Optional[float] = None", "timeout_ms: Optional[int] = None"];

function renderFunctions(typed: readonly Typed[]): string {
  const methods = typed.map((t) => {
    const name = pythonString(t.entry.name);
    const doc = docstring(`${t.entry.description || `Calls ${t.entry.name}.`}\n\n${kindNote(t)}`, "        ");
    if (t.entry.kind === "reducer") {
      return [
        defLine("    ", t.method, ["self", `acc: ${t.output.in}`, `item: ${t.input.in}`, ...CALL_OPTIONS], t.output.out),
        doc,
        `        return cast(${pythonString(t.output.out)}, self._call(${name}, [acc, item], timeout, timeout_ms))`,
      ].join("\n");
    }
    if (t.entry.kind === "emitter" && t.pair) {
      return [
        defLine("    ", t.method, ["self", `value: ${t.input.in}`, ...CALL_OPTIONS], `List[Tuple[${t.pair.key}, ${t.pair.value}]]`),
        doc,
        `        return cast(${pythonString(`List[Tuple[${t.pair.key}, ${t.pair.value}]]`)}, _pairs(self._call(${name}, value, timeout, timeout_ms)))`,
      ].join("\n");
    }
    return [
      defLine("    ", t.method, ["self", `value: ${t.input.in}`, ...CALL_OPTIONS], t.output.out),
      doc,
      `        return cast(${pythonString(t.output.out)}, self._call(${name}, value, timeout, timeout_ms))`,
    ].join("\n");
  });
  return [
    "class Functions:",
    docstring(
      "The catalogue's functions, one method each (``POST /v1/functions/{name}/call``; never retried).\n\n" +
        "``timeout`` bounds the wait in seconds (code ``timeout``); ``timeout_ms`` asks the server to stop\n" +
        "the call after that long (``504 call_timeout``). A failure raises ``ProblemError``.",
      "    ",
    ),
    "",
    "    def __init__(self, client: _ClientBase) -> None:",
    "        self._call = client._call_function",
    ...methods.map((m) => `\n${m}`),
  ].join("\n");
}

function kindNote(t: Typed): string {
  if (t.entry.kind === "reducer") return `A reducer: returns ${t.entry.name}'s step(acc, item). In jobs: \`\`jobs.run("fold", ${pythonString(t.entry.name)}, items)\`\`.`;
  if (t.entry.kind === "emitter") return `An emitter: returns (key, value) pairs. In jobs: \`\`jobs.run("mapreduce", ${pythonString(t.entry.name)}, items, reducer=...)\`\`.`;
  return `In jobs: \`\`jobs.run("map", ${pythonString(t.entry.name)}, items)\`\`.`;
}

interface Overload {
  kind: string;
  functions: string[];
  items: string;
  reducers?: string[];
  result: string;
}

/** The typed job signatures, functions with the same item and result types grouped in one. */
function jobOverloads(typed: readonly Typed[]): Overload[] {
  const groups = new Map<string, Overload>();
  const add = (o: Omit<Overload, "functions" | "reducers">, fn: string, reducers?: string[]): void => {
    const key = JSON.stringify([o.kind, o.items, o.result, reducers ?? null]);
    const group = groups.get(key) ?? { ...o, functions: [], ...(reducers ? { reducers } : {}) };
    group.functions.push(fn);
    groups.set(key, group);
  };
  const itemsOf = (t: Typed): string => (t.rangeOk ? `Union[Sequence[${t.input.in}], range]` : `Sequence[${t.input.in}]`);
  const reducers = typed.filter((t) => t.entry.kind === "reducer");
  for (const t of typed) {
    const name = t.entry.name;
    if (t.entry.kind === "unary") {
      add({ kind: "map", items: itemsOf(t), result: `List[${t.output.out}]` }, name);
      // A filter keeps items whose output is true: only boolean (or untyped) functions qualify.
      if (t.output.out === "bool" || t.output.out === "JsonValue") add({ kind: "filter", items: itemsOf(t), result: `List[${t.input.out}]` }, name);
    } else if (t.entry.kind === "reducer") {
      add({ kind: "fold", items: itemsOf(t), result: t.output.out }, name);
    } else if (t.entry.kind === "emitter" && t.pair) {
      // Per reducer output, the reducers that can fold the emitted values.
      const byOutput = new Map<string, string[]>();
      for (const r of reducers) {
        if (!folds(r.input.in, t.pair.value)) continue;
        byOutput.set(r.output.out, [...(byOutput.get(r.output.out) ?? []), r.entry.name]);
      }
      for (const [output, names] of byOutput) add({ kind: "mapreduce", items: itemsOf(t), result: `List[Tuple[${t.pair.key}, ${output}]]` }, name, names);
    }
  }
  return [...groups.values()];
}

/** Whether a reducer taking `input` can fold values of type `value` (as far as the types say). */
function folds(input: string, value: string): boolean {
  return input === "JsonInput" || value === "JsonValue" || input === value || (input === "float" && value === "int");
}

function literal(values: readonly string[]): string {
  return `Literal[${values.map(pythonString).join(", ")}]`;
}

function renderJobs(typed: readonly Typed[]): string {
  const overloads = jobOverloads(typed);
  const signature = (method: "run" | "submit", o: Overload): string => {
    const params = [
      "self",
      `kind: ${literal([o.kind])}`,
      `function: ${literal(o.functions)}`,
      `items: ${o.items}`,
      "*",
      ...(o.reducers ? [`reducer: ${literal(o.reducers)}`] : []),
      ...(method === "run" ? RUN_OPTIONS : JOB_OPTIONS),
    ];
    return defLine("    ", method, params, method === "run" ? o.result : `Job[${o.result}]`);
  };
  const implParams = (name: "run" | "submit"): string[] =>
    ["self", "kind: JobKind", "function: str", "items: Any", "*", "reducer: Optional[str] = None", ...(name === "run" ? RUN_OPTIONS : JOB_OPTIONS)];
  // With one signature there is nothing to overload: it is the implementation (and may lack `reducer`).
  const reducer = overloads.length === 1 && !overloads[0]!.reducers ? "None" : "reducer";
  const submitCall = (timeout: string): string =>
    `self._submit(kind, function, items, ${reducer}, chunk_size, concurrency, timeout_ms, wait, idempotency_key, ${timeout})`;
  // A lone signature declares its result: the untyped value needs a cast to it (mypy --strict).
  const typedReturn = (name: "run" | "submit", expression: string): string => {
    const only = overloads.length === 1 ? overloads[0]! : undefined;
    return only ? `cast(${pythonString(name === "run" ? only.result : `Job[${only.result}]`)}, ${expression})` : expression;
  };
  const method = (name: "run" | "submit", doc: string, body: string[]): string[] => {
    const typedSignatures = overloads.length >= 2 ? overloads.map((o) => `    @overload\n${signature(name, o)}\n        ...\n`) : [];
    const implementation = overloads.length === 1 ? signature(name, overloads[0]!) : defLine("    ", name, implParams(name), "Any");
    return [...typedSignatures, implementation, docstring(doc, "        "), ...body.map((l) => `        ${l}`)];
  };
  const run = method(
    "run",
    "Submits a job and follows it to its result: a map's outputs, a filter's kept items, a fold's\n" +
      "value, or a mapreduce's (key, value) pairs, typed by the catalogue. ``items`` is a sequence, or a\n" +
      "``range`` (expanded by the server) where the function takes numbers. ``on_progress`` gets each\n" +
      "progress event; ``timeout`` bounds the wait (the job is then cancelled), as does Ctrl-C.",
    // The submit itself takes the client's timeout; `timeout` bounds the wait for the result.
    [`job: Job[Any] = ${submitCall("None")}`, `return ${typedReturn("run", "self._run(job, on_progress, timeout, stream)")}`],
  );
  const submit = method(
    "submit",
    "Submits a job (``POST /v1/jobs``) and returns its handle. The submit carries an\n" +
      "``Idempotency-Key`` (``idempotency_key``, or a fresh one) and is retried safely with it; ``wait``\n" +
      "asks the server to hold the answer up to that many seconds (``Prefer: wait=N``).",
    [`return ${typedReturn("submit", submitCall("timeout"))}`],
  );
  return [
    "class Jobs(_JobsBase):",
    docstring(
      "Parallel jobs over the catalogue's functions, typed by it: ``map`` and ``filter`` take a unary function\n" +
        "(``filter`` one that answers a boolean), ``fold`` a reducer, ``mapreduce`` an emitter and a ``reducer``\n" +
        "that folds its values. Also ``get``, ``list``, ``cancel`` and ``attach`` (a handle by id).",
      "    ",
    ),
    "",
    ...run,
    "",
    ...submit,
  ].join("\n");
}

function renderClient(typed: readonly Typed[]): string {
  const unary = typed.find((t) => t.entry.kind === "unary");
  const example = unary
    ? ["", "Example::", "", `    client = Client("http://127.0.0.1:8080", token=os.environ.get("POLYBRIDGE_TOKEN"))`, `    client.functions.${unary.method}(...)`]
    : [];
  return [
    "class Client(_ClientBase):",
    docstring(
      [
        "A polybridge server: ``functions`` (a typed method per catalogue entry) and ``jobs``.",
        "",
        "``token`` (a string, or a function called per request) is sent as ``Authorization: Bearer``;",
        "``timeout`` (seconds) bounds each call including its retries; ``retries`` is how many times a",
        "safe request (GET, DELETE, a submit with its ``Idempotency-Key``) is repeated after a network",
        "error, 429, 502, 503 or 504, with backoff and ``Retry-After`` honoured.",
        ...example,
      ].join("\n"),
      "    ",
    ),
    "",
    "    def __init__(",
    "        self,",
    '        base_url: str = "http://127.0.0.1:8080",',
    "        *,",
    "        token: Union[str, Callable[[], str], None] = None,",
    "        timeout: float = 30.0,",
    "        retries: int = 2,",
    "        headers: Optional[Mapping[str, str]] = None,",
    "    ) -> None:",
    "        super().__init__(base_url, token=token, timeout=timeout, retries=retries, headers=headers)",
    "        self.functions = Functions(self)",
    "        self.jobs = Jobs(self._core)",
  ].join("\n");
}
