// The demo page the reference server shows at `/`: the catalogue, a form that runs a call or a
// job through `@polybridge/sdk/browser`, live progress from the job's Server-Sent Events,
// cancel, the result as a table and chart, recent jobs, and readable problems.
import { createClient, isTerminal, PolybridgeError, type FunctionInfo, type Job, type JobHandle, type JobRequest, type JobStatus, type Progress } from "@polybridge/sdk/browser";
import { byId, h, show } from "./dom.js";
import { clearProblem, showProblem } from "./problem.js";
import { showResult } from "./results.js";
import { checkForm, type FieldId, type FormValues, type Issue } from "./validation.js";

type Kind = FormValues["kind"];

const el = {
  serverInfo: byId("server-info", HTMLElement),
  access: byId("access", HTMLDetailsElement),
  tokenForm: byId("token-form", HTMLFormElement),
  token: byId("token", HTMLInputElement),
  form: byId("run-form", HTMLFormElement),
  kind: byId("kind", HTMLSelectElement),
  fn: byId("function", HTMLSelectElement),
  fnHelp: byId("function-help", HTMLElement),
  reducerField: byId("reducer-field", HTMLElement),
  reducer: byId("reducer", HTMLSelectElement),
  callInputField: byId("call-input-field", HTMLElement),
  callInput: byId("call-input", HTMLTextAreaElement),
  jobInput: byId("job-input", HTMLFieldSetElement),
  itemsField: byId("items-field", HTMLElement),
  items: byId("items", HTMLTextAreaElement),
  rangeField: byId("range-field", HTMLElement),
  rangeStart: byId("range-start", HTMLInputElement),
  rangeEnd: byId("range-end", HTMLInputElement),
  rangeStep: byId("range-step", HTMLInputElement),
  chunkSize: byId("chunk-size", HTMLInputElement),
  concurrency: byId("concurrency", HTMLInputElement),
  timeoutMs: byId("timeout-ms", HTMLInputElement),
  formErrors: byId("form-errors", HTMLElement),
  run: byId("run", HTMLButtonElement),
  cancel: byId("cancel", HTMLButtonElement),
  status: byId("status", HTMLElement),
  progress: byId("progress", HTMLProgressElement),
  progressText: byId("progress-text", HTMLElement),
  problem: byId("problem", HTMLElement),
  result: byId("result", HTMLElement),
  jobsFilter: byId("jobs-filter", HTMLSelectElement),
  jobsRefresh: byId("jobs-refresh", HTMLButtonElement),
  jobsList: byId("jobs-list", HTMLElement),
  catalogue: byId("catalogue-list", HTMLElement),
};

// The server the page came from; a path prefix (a proxy mounting it at /compute/) is kept.
const baseUrl = new URL(".", location.href).href.replace(/\/$/, "");
let token = "";
const client = createClient({ baseUrl, token: () => token, timeoutMs: 30_000 });

let functions: FunctionInfo[] = [];
/** The running call or job: how to stop it. */
interface Running {
  abort: AbortController;
  job?: JobHandle;
}
let running: Running | undefined;

// ---------------------------------------------------------------- status and progress

function setStatus(text: string, status: JobStatus | "idle" | "calling" | "error" | "invalid"): void {
  el.status.dataset.status = status;
  el.status.replaceChildren(h("span", { class: "badge", "data-status": status }, status), " ", text);
}

function setProgress(p: Progress | undefined): void {
  if (!p) {
    el.progress.removeAttribute("value"); // indeterminate
    el.progressText.textContent = "";
    return;
  }
  el.progress.max = Math.max(1, p.totalItems);
  el.progress.value = p.completedItems;
  const pct = p.totalItems === 0 ? 100 : Math.floor((100 * p.completedItems) / p.totalItems);
  el.progressText.textContent = `${pct}% · ${show(p.completedItems)} of ${show(p.totalItems)} items · ${p.completedChunks} of ${p.totalChunks} chunks`;
}

function describeJob(job: Job): string {
  const what = job.kind === "mapreduce" ? `${job.function} + ${job.reducer ?? "?"}` : job.function;
  const took = job.startedAt && job.finishedAt ? ` in ${show(Date.parse(job.finishedAt) - Date.parse(job.startedAt))} ms` : "";
  return `${job.kind} ${what} · ${job.id}${isTerminal(job) ? took : ""}`;
}

// ---------------------------------------------------------------- catalogue and the form's selects

/** Functions that fit a kind: unary for call/map/filter (call takes any), reducers for fold, emitters for mapreduce. */
function fitting(kind: Kind): FunctionInfo[] {
  if (kind === "call") return functions;
  if (kind === "fold") return functions.filter((f) => f.kind === "reducer");
  if (kind === "mapreduce") return functions.filter((f) => f.kind === "emitter");
  const unary = functions.filter((f) => f.kind === "unary");
  if (kind !== "filter") return unary;
  // Predicates first (boolean output), then the rest of the unary functions.
  const isBool = (f: FunctionInfo): boolean => (f.outputSchema as { type?: unknown }).type === "boolean";
  return [...unary.filter(isBool), ...unary.filter((f) => !isBool(f))];
}

function fill(select: HTMLSelectElement, list: FunctionInfo[], keep: string): void {
  select.replaceChildren(...list.map((f) => h("option", { value: f.name }, `${f.name} (${f.kind})`)));
  if (list.some((f) => f.name === keep)) select.value = keep;
}

const byName = (name: string): FunctionInfo | undefined => functions.find((f) => f.name === name);

/** An example input for a schema, so the form is never blank. */
function example(fn: FunctionInfo | undefined): unknown[] {
  if (!fn) return [];
  const s = fn.inputSchema as { type?: unknown; minimum?: number; maximum?: number; properties?: Record<string, unknown> };
  const known: Record<string, unknown[]> = { sleep: [200, 200, 200], fail: [1, 2, -3], sha256: [{ data: "hello" }, { data: "polybridge", iterations: 10 }], echo: [1, "two", { three: 3 }] };
  if (known[fn.name]) return known[fn.name] ?? [];
  if (s.type === "string") return ["the cat sat", "the dog sat", "a cat ran"];
  if (s.type === "integer" || s.type === "number") return [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  return [1, 2, 3];
}

let lastExample = { items: "", call: "" };

function onFunctionChange(): void {
  const fn = byName(el.fn.value);
  el.fnHelp.textContent = fn ? fn.description : "";
  const ex = example(fn);
  const items = JSON.stringify(ex);
  // Replace the input only while it still holds an example the page wrote (or nothing).
  if (el.items.value.trim() === "" || el.items.value === lastExample.items) el.items.value = items;
  const call = JSON.stringify(fn?.kind === "reducer" ? [fn.identity ?? 0, ex[0]] : ex[0]);
  if (el.callInput.value.trim() === "" || el.callInput.value === lastExample.call) el.callInput.value = call;
  lastExample = { items, call };
  clearIssues();
}

function onKindChange(): void {
  const kind = el.kind.value as Kind;
  fill(el.fn, fitting(kind), el.fn.value);
  fill(el.reducer, functions.filter((f) => f.kind === "reducer"), el.reducer.value || "sum");
  el.reducerField.hidden = kind !== "mapreduce";
  el.callInputField.hidden = kind !== "call";
  for (const node of document.querySelectorAll<HTMLElement>(".job-only")) node.hidden = kind === "call";
  onFunctionChange();
}

function onSourceChange(): void {
  const source = (el.form.elements.namedItem("source") as RadioNodeList).value;
  el.itemsField.hidden = source !== "items";
  el.rangeField.hidden = source !== "range";
}

function schemaBlock(label: string, schema: unknown): HTMLElement {
  return h("details", { class: "schema" }, h("summary", {}, label), h("pre", {}, JSON.stringify(schema, null, 2)));
}

/** A kind that can run this function, for the "Use" buttons. */
function kindFor(fn: FunctionInfo): Kind {
  if (fn.kind === "reducer") return "fold";
  if (fn.kind === "emitter") return "mapreduce";
  return (fn.outputSchema as { type?: unknown }).type === "boolean" ? "filter" : "map";
}

function renderCatalogue(): void {
  el.catalogue.replaceChildren(
    h(
      "ul",
      { class: "functions" },
      ...functions.map((fn) =>
        h(
          "li",
          { class: "function" },
          h("div", { class: "function-head" }, h("h3", {}, fn.name), h("span", { class: "badge kind", "data-kind": fn.kind }, fn.kind)),
          h("p", {}, fn.description),
          fn.identity !== undefined ? h("p", { class: "muted" }, "identity: ", h("code", {}, JSON.stringify(fn.identity))) : "",
          schemaBlock("Input schema", fn.inputSchema),
          schemaBlock("Output schema", fn.outputSchema),
          h(
            "button",
            {
              type: "button",
              class: "link-button",
              "aria-label": `Use ${fn.name} in the form`,
              onclick: () => {
                el.kind.value = kindFor(fn);
                onKindChange();
                el.fn.value = fn.name;
                onFunctionChange();
                el.fn.focus();
              },
            },
            "Use in the form",
          ),
        ),
      ),
    ),
  );
}

async function loadCatalogue(): Promise<void> {
  try {
    functions = (await client.listFunctions()).functions;
    renderCatalogue();
    onKindChange();
  } catch (e) {
    const err = PolybridgeError.from(e);
    const box = h("div", { class: "problem" });
    el.catalogue.replaceChildren(box);
    showProblem(box, err);
    if (err.code === "unauthorized") askForToken();
  }
}

async function loadHealth(): Promise<void> {
  try {
    const health = await client.getHealth();
    el.serverInfo.textContent = `${health.status} · server ${health.version} · ${health.workers} workers · ${health.jobs.running} running, ${health.jobs.queued} queued`;
  } catch (e) {
    el.serverInfo.textContent = `Server unreachable: ${PolybridgeError.from(e).message}`;
  }
}

function askForToken(): void {
  el.access.open = true;
  el.token.focus();
}

// ---------------------------------------------------------------- recent jobs

async function loadJobs(): Promise<void> {
  const status = el.jobsFilter.value as JobStatus | "";
  try {
    const { jobs } = await client.jobs.list({ limit: 20, ...(status ? { status } : {}) });
    if (jobs.length === 0) {
      el.jobsList.replaceChildren(h("p", { class: "muted" }, status ? `No ${status} jobs.` : "No jobs yet."));
      return;
    }
    el.jobsList.replaceChildren(
      h(
        "div",
        { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Recent jobs table" },
        h(
          "table",
          { class: "jobs-table" },
          h("caption", { class: "visually-hidden" }, "Recent jobs, newest first"),
          h("thead", {}, h("tr", {}, ...["Job", "Status", "Function", "Kind", "Progress", "Created"].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            {},
            ...jobs.map((job) =>
              h(
                "tr",
                { "data-job-id": job.id },
                h("td", {}, h("button", { type: "button", class: "link-button job-id", title: job.id, "aria-label": `Show job ${job.id}`, onclick: () => void showJob(job.id) }, `…${job.id.slice(-8)}`)),
                h("td", {}, h("span", { class: "badge", "data-status": job.status }, job.status)),
                h("td", {}, job.kind === "mapreduce" ? `${job.function} + ${job.reducer ?? ""}` : job.function),
                h("td", {}, job.kind),
                h("td", { class: "num" }, `${job.progress.totalItems === 0 ? 100 : Math.floor((100 * job.progress.completedItems) / job.progress.totalItems)}%`),
                h("td", {}, h("time", { datetime: job.createdAt }, new Date(job.createdAt).toLocaleTimeString([], { hourCycle: "h23" }))),
              ),
            ),
          ),
        ),
      ),
    );
  } catch (e) {
    const box = h("div", { class: "problem" });
    el.jobsList.replaceChildren(box);
    showProblem(box, e);
  }
}

/** Shows a listed job in the outcome panel: its status, progress, and result or error. */
async function showJob(id: string): Promise<void> {
  if (running) return;
  clearProblem(el.problem);
  el.result.hidden = true;
  try {
    const job = await client.jobs.get(id);
    setStatus(describeJob(job), job.status);
    setProgress(job.progress);
    if (job.status === "successful") showResult(el.result, job.result ?? (await client.jobs.result(id)));
    else if (job.error) showProblem(el.problem, { ...job.error, jobId: job.id });
  } catch (e) {
    showProblem(el.problem, e);
  }
}

// ---------------------------------------------------------------- running

const FIELD_INPUT: Record<Exclude<FieldId, "form">, HTMLElement> = {
  items: el.items,
  "call-input": el.callInput,
  range: el.rangeStart,
  "chunk-size": el.chunkSize,
  concurrency: el.concurrency,
  "timeout-ms": el.timeoutMs,
};
const FIELD_ERROR: Record<Exclude<FieldId, "form">, string> = {
  items: "items-error",
  "call-input": "call-input-error",
  range: "range-error",
  "chunk-size": "chunk-size-error",
  concurrency: "concurrency-error",
  "timeout-ms": "timeout-ms-error",
};

function clearIssues(): void {
  el.formErrors.hidden = true;
  el.formErrors.replaceChildren();
  for (const [field, id] of Object.entries(FIELD_ERROR)) {
    const box = byId(id, HTMLElement);
    box.hidden = true;
    box.textContent = "";
    FIELD_INPUT[field as keyof typeof FIELD_INPUT].removeAttribute("aria-invalid");
  }
  for (const input of [el.rangeEnd, el.rangeStep]) input.removeAttribute("aria-invalid");
}

function showIssues(issues: Issue[]): void {
  clearIssues();
  const byField = new Map<FieldId, string[]>();
  for (const issue of issues) byField.set(issue.field, [...(byField.get(issue.field) ?? []), issue.message]);
  for (const [field, messages] of byField) {
    if (field === "form") continue;
    const box = byId(FIELD_ERROR[field], HTMLElement);
    box.replaceChildren(...messages.flatMap((m, i) => (i === 0 ? [m] : [h("br"), m])));
    box.hidden = false;
    FIELD_INPUT[field].setAttribute("aria-invalid", "true");
    if (field === "range") for (const input of [el.rangeEnd, el.rangeStep]) input.setAttribute("aria-invalid", "true");
  }
  el.formErrors.replaceChildren(
    h("p", {}, h("strong", {}, issues.length === 1 ? "1 problem stops this run:" : `${issues.length} problems stop this run:`)),
    h("ul", {}, ...issues.map((i) => h("li", {}, i.message))),
  );
  el.formErrors.hidden = false;
  setStatus("Not sent: fix the form first.", "invalid");
  const first = issues.find((i) => i.field !== "form");
  if (first && first.field !== "form") FIELD_INPUT[first.field].focus();
}

function formValues(): FormValues {
  return {
    kind: el.kind.value as Kind,
    fn: byName(el.fn.value),
    reducer: byName(el.reducer.value),
    callInput: el.callInput.value,
    source: (el.form.elements.namedItem("source") as RadioNodeList).value === "range" ? "range" : "items",
    items: el.items.value,
    range: { start: el.rangeStart.value, end: el.rangeEnd.value, step: el.rangeStep.value },
    chunkSize: el.chunkSize.value,
    concurrency: el.concurrency.value,
    timeoutMs: el.timeoutMs.value,
  };
}

function setRunning(on: boolean): void {
  el.run.disabled = on;
  el.run.textContent = on ? "Running…" : "Run";
  el.cancel.disabled = !on;
  el.form.setAttribute("aria-busy", String(on));
}

async function runCall(call: { name: string; input: unknown; timeoutMs?: number }, abort: AbortController): Promise<void> {
  setStatus(`Calling ${call.name}…`, "calling");
  setProgress(undefined);
  const body = call.timeoutMs === undefined ? { input: call.input } : { input: call.input, timeoutMs: call.timeoutMs };
  const answer = await client.callFunction(call.name, body, { signal: abort.signal });
  setStatus(`call ${call.name} returned in ${show(answer.durationMs)} ms`, "successful");
  setProgress({ completedChunks: 1, totalChunks: 1, completedItems: 1, totalItems: 1 });
  showResult(el.result, { kind: "call", output: answer.output, durationMs: answer.durationMs });
}

async function runJob(request: JobRequest, state: Running): Promise<void> {
  setStatus(`Submitting ${request.kind} ${request.function}…`, "accepted");
  setProgress({ completedChunks: 0, totalChunks: 0, completedItems: 0, totalItems: 0 });
  el.progress.value = 0;
  const handle = await client.jobs.submit(request, { signal: state.abort.signal });
  state.job = handle;
  setStatus(describeJob(handle.job), handle.job.status);
  setProgress(handle.job.progress);
  void loadJobs();
  let final: Job | undefined;
  for await (const event of handle.events({ signal: state.abort.signal })) {
    if (event.event === "status") {
      setStatus(describeJob(event.data), event.data.status);
      setProgress(event.data.progress);
      if (isTerminal(event.data)) final = event.data;
    } else if (event.event === "progress") {
      setProgress(event.data.progress);
    } else if (event.event === "result") {
      showResult(el.result, event.data);
    }
  }
  if (!final) throw new PolybridgeError("unexpected_response", `The events of job ${handle.id} ended without a final status.`, { jobId: handle.id });
  if (final.status === "successful" && el.result.hidden) showResult(el.result, final.result ?? (await client.jobs.result(handle.id)));
  if (final.status === "failed" && final.error) showProblem(el.problem, { ...final.error, jobId: final.id });
  if (final.status === "dismissed") {
    el.problem.hidden = true;
  }
}

async function onSubmit(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  if (running) return;
  const checked = checkForm(formValues());
  if (!checked.ok) return showIssues(checked.issues);
  clearIssues();
  clearProblem(el.problem);
  el.result.hidden = true;
  el.result.replaceChildren();
  const state: Running = { abort: new AbortController() };
  running = state;
  setRunning(true);
  try {
    if ("call" in checked) await runCall(checked.call, state.abort);
    else await runJob(checked.job, state);
  } catch (e) {
    const err = PolybridgeError.from(e);
    if (err.code === "aborted") setStatus("Stopped.", "dismissed");
    else {
      setStatus(`${err.status ?? ""} ${err.code}`.trim(), "error");
      showProblem(el.problem, err);
      if (err.code === "unauthorized") askForToken();
    }
  } finally {
    running = undefined;
    setRunning(false);
    void loadJobs();
  }
}

async function onCancel(): Promise<void> {
  const state = running;
  if (!state) return;
  el.cancel.disabled = true;
  if (!state.job) {
    state.abort.abort(); // a call, or a job not yet accepted
    return;
  }
  setStatus(`Cancelling ${state.job.id}…`, "running");
  try {
    // The event stream then ends with the job's `dismissed` status.
    await state.job.cancel();
  } catch (e) {
    // Already finished (409 job_already_finished): the stream shows how it ended.
    if (!PolybridgeError.is(e, "job_already_finished")) showProblem(el.problem, e);
  }
}

// ---------------------------------------------------------------- wiring

el.form.addEventListener("submit", (e) => void onSubmit(e));
el.cancel.addEventListener("click", () => void onCancel());
el.kind.addEventListener("change", onKindChange);
el.fn.addEventListener("change", onFunctionChange);
for (const radio of el.form.querySelectorAll<HTMLInputElement>('input[name="source"]')) radio.addEventListener("change", onSourceChange);
el.jobsRefresh.addEventListener("click", () => void loadJobs());
el.jobsFilter.addEventListener("change", () => void loadJobs());
el.tokenForm.addEventListener("submit", (e) => {
  e.preventDefault();
  token = el.token.value.trim();
  void Promise.all([loadCatalogue(), loadJobs()]);
});
onSourceChange();
onKindChange();
void Promise.all([loadHealth(), loadCatalogue(), loadJobs()]).then(() => {
  document.documentElement.dataset.ready = "true";
});
