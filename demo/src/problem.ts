// Errors shown readably: a problem+json body (title, code, status, detail, the failing item,
// field errors) or one of the SDK's own codes (network, timeout, …) with a hint.
import { PolybridgeError, type Problem } from "@polybridge/sdk/browser";
import { h } from "./dom.js";

const CLIENT_TITLES: Record<string, string> = {
  network: "The server could not be reached",
  timeout: "The request timed out",
  aborted: "Stopped",
  response_invalid: "The answer does not match the contract",
  unexpected_response: "Unexpected answer",
  unknown: "Something went wrong",
};

const HINTS: Record<string, string> = {
  unauthorized: "This server wants a bearer token: enter it under “Access token” at the top.",
  rate_limited: "Too many requests: wait a moment and try again.",
  queue_full: "The server is busy: try again shortly.",
  network: "Is the server still running?",
};

/**
 * Renders an error into `container` (a `role="alert"` region) and reveals it.
 *
 * @example
 * showProblem(el, await client.call("fail", -1).catch((e) => e));
 */
export function showProblem(container: HTMLElement, error: unknown): PolybridgeError {
  const err = PolybridgeError.from(error);
  const p: Partial<Problem> = err.problem ?? {};
  const title = p.title ?? CLIENT_TITLES[err.code] ?? err.message;
  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, "code"),
    h("dd", {}, h("code", { class: "problem-code" }, err.code)),
    err.status !== undefined && h("dt", {}, "status"),
    err.status !== undefined && h("dd", {}, String(err.status)),
    p.itemIndex !== undefined && h("dt", {}, "item index"),
    p.itemIndex !== undefined && h("dd", { class: "problem-item" }, String(p.itemIndex)),
    (p.jobId ?? err.jobId) !== undefined && h("dt", {}, "job"),
    (p.jobId ?? err.jobId) !== undefined && h("dd", {}, h("code", {}, p.jobId ?? err.jobId ?? "")),
    err.retryAfterMs !== undefined && h("dt", {}, "retry after"),
    err.retryAfterMs !== undefined && h("dd", {}, `${Math.ceil(err.retryAfterMs / 1000)} s`),
  );
  const detail = p.detail ?? (err.problem ? undefined : err.message !== title ? err.message : undefined);
  const fieldErrors = p.errors && p.errors.length > 0
    ? h("ul", { class: "field-errors", "aria-label": "Invalid fields" }, ...p.errors.map((e) => h("li", {}, h("code", {}, e.path || "(body)"), " ", e.message)))
    : null;
  const hint = HINTS[err.code];
  container.replaceChildren(
    h("h3", { class: "problem-title" }, title),
    detail ? h("p", { class: "problem-detail" }, detail) : "",
    facts,
    fieldErrors ?? "",
    hint ? h("p", { class: "hint" }, hint) : "",
  );
  container.hidden = false;
  return err;
}

/** Hides and empties the problem region. */
export function clearProblem(container: HTMLElement): void {
  container.replaceChildren();
  container.hidden = true;
}
