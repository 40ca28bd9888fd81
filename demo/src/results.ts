// A result as a table, plus an inline SVG chart when the values are numbers.
import type { JobResult } from "@polybridge/sdk/browser";
import { h, show, svg } from "./dom.js";

/** What to show: a job's result, or a call's output. */
export type Shown = JobResult | { kind: "call"; output: unknown; durationMs: number };

interface Table {
  columns: [string, string];
  rows: [unknown, unknown][];
  summary: string;
}

const MAX_ROWS = 500;
const MAX_BARS = 80;
const MAX_POINTS = 400;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A single value as rows: an object by key, an array by index, anything else one row. */
function valueTable(value: unknown, label: string): Table {
  if (isPlainObject(value)) {
    const rows = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { columns: ["key", "value"], rows, summary: `${label}: an object with ${rows.length} keys` };
  }
  if (Array.isArray(value)) return { columns: ["#", "value"], rows: value.map((v, i) => [i, v]), summary: `${label}: ${value.length} values` };
  return { columns: [label, "value"], rows: [[label, value]], summary: `${label}: ${show(value)}` };
}

function toTable(result: Shown): Table {
  switch (result.kind) {
    case "map":
      return { columns: ["#", "output"], rows: result.items.map((v, i) => [i, v]), summary: `map: ${result.items.length} outputs, in input order` };
    case "filter":
      return { columns: ["#", "kept item"], rows: result.items.map((v, i) => [i, v]), summary: `filter: kept ${result.items.length} items` };
    case "fold":
      return valueTable(result.value, "fold");
    case "mapreduce":
      return { columns: ["key", "value"], rows: result.entries.map((e) => [e[0], e[1]]), summary: `mapreduce: ${result.entries.length} keys` };
    case "call":
      return { ...valueTable(result.output, "output"), summary: `call: ${show(result.output).slice(0, 80)} in ${result.durationMs} ms` };
  }
}

/** A bar chart (few values) or a line chart (many) of numeric rows, sized by its viewBox. */
function chart(rows: [unknown, number][], title: string): SVGSVGElement {
  const W = 640;
  const H = 240;
  const pad = { left: 76, right: 12, top: 14, bottom: 34 };
  const values = rows.map(([, v]) => v);
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const y = (v: number): number => pad.top + ((max - v) / span) * (H - pad.top - pad.bottom);
  const plotW = W - pad.left - pad.right;
  const titleId = `chart-title-${Math.random().toString(36).slice(2, 8)}`;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": titleId, class: "chart", preserveAspectRatio: "xMidYMid meet" });
  root.append(svg("title", { id: titleId }, `${title}: ${rows.length} values from ${show(Math.min(...values))} to ${show(Math.max(...values))}`));
  // Axes and labels.
  root.append(
    svg("line", { x1: pad.left, x2: W - pad.right, y1: y(0), y2: y(0), class: "axis" }),
    svg("line", { x1: pad.left, x2: pad.left, y1: pad.top, y2: H - pad.bottom, class: "axis" }),
    svg("text", { x: pad.left - 6, y: y(max) + 7, "text-anchor": "end", class: "tick" }, show(max)),
    min < 0 ? svg("text", { x: pad.left - 6, y: y(min) + 7, "text-anchor": "end", class: "tick" }, show(min)) : "",
    svg("text", { x: pad.left - 6, y: y(0) + 7, "text-anchor": "end", class: "tick" }, "0"),
    svg("text", { x: pad.left, y: H - 6, class: "tick" }, show(rows[0]?.[0])),
    svg("text", { x: W - pad.right, y: H - 6, "text-anchor": "end", class: "tick" }, show(rows[rows.length - 1]?.[0])),
  );
  if (rows.length <= MAX_BARS) {
    const slot = plotW / rows.length;
    const barW = Math.max(1, slot * 0.8);
    rows.forEach(([label, v], i) => {
      const top = Math.min(y(v), y(0));
      const bar = svg("rect", { x: pad.left + i * slot + (slot - barW) / 2, y: top, width: barW, height: Math.max(0.5, Math.abs(y(v) - y(0))), class: "bar" });
      bar.append(svg("title", {}, `${show(label)}: ${show(v)}`));
      root.append(bar);
    });
  } else {
    // Many values: a line through at most MAX_POINTS evenly spaced samples.
    const stride = Math.ceil(rows.length / MAX_POINTS);
    const points: string[] = [];
    for (let i = 0; i < rows.length; i += stride) points.push(`${(pad.left + (i / (rows.length - 1)) * plotW).toFixed(1)},${y(rows[i]?.[1] ?? 0).toFixed(1)}`);
    const last = rows[rows.length - 1];
    if (last) points.push(`${W - pad.right},${y(last[1]).toFixed(1)}`);
    root.append(svg("polyline", { points: points.join(" "), class: "line" }));
  }
  return root;
}

/**
 * Renders a result into `container`: a summary, a chart for numeric values, the table (first
 * rows), and the raw JSON.
 */
export function showResult(container: HTMLElement, result: Shown): void {
  const table = toTable(result);
  const numeric = table.rows.filter((r): r is [unknown, number] => typeof r[1] === "number" && Number.isFinite(r[1]));
  const shownRows = table.rows.slice(0, MAX_ROWS);
  const caption = table.rows.length > MAX_ROWS ? `${table.summary} (first ${MAX_ROWS} rows)` : table.summary;
  const raw = JSON.stringify(result.kind === "call" ? result.output : result, null, 2) ?? "";
  container.replaceChildren(
    h("h3", {}, "Result"),
    table.rows.length >= 2 && numeric.length === table.rows.length ? h("figure", { class: "chart-figure" }, chart(numeric, table.summary), h("figcaption", { class: "muted" }, `${table.columns[1]} by ${table.columns[0]}`)) : "",
    h(
      "div",
      { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Result table" },
      h(
        "table",
        { class: "result-table" },
        h("caption", {}, caption),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, table.columns[0]), h("th", { scope: "col" }, table.columns[1]))),
        h("tbody", {}, ...shownRows.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, show(k)), h("td", { class: typeof v === "number" ? "num" : "" }, show(v))))),
      ),
    ),
    h("details", { class: "raw" }, h("summary", {}, "JSON"), h("pre", {}, raw.length > 200_000 ? `${raw.slice(0, 200_000)}\n…` : raw)),
  );
  container.hidden = false;
}
