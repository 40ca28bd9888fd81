import { getPath } from "./getPath.js";

const WHOLE = /^\$\{([^}]+)\}$/;
const PART = /\$\{([^}]+)\}/g;

/**
 * Replaces `${name}` / `${name.path}` in every string of `value` with case variables.
 * A string that is exactly one `${...}` takes the variable's raw value (so numbers and objects
 * stay typed); otherwise the value is spliced into the text. An unknown variable throws.
 *
 * @example
 * interpolate({ path: "/v1/jobs/${job.id}", n: "${count}" }, { job: { id: "j1" }, count: 3 });
 * // → { path: "/v1/jobs/j1", n: 3 }
 */
export function interpolate(value: unknown, vars: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole?.[1] !== undefined) return lookup(whole[1], vars);
    return value.replace(PART, (_m, name: string) => {
      const v = lookup(name, vars);
      return typeof v === "string" ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)]));
  }
  return value;
}

function lookup(name: string, vars: Readonly<Record<string, unknown>>): unknown {
  const [head = "", ...rest] = name.trim().split(".");
  if (!(head in vars)) throw new Error(`unknown variable \${${name}} (known: ${Object.keys(vars).join(", ")})`);
  const v = getPath(vars[head], rest.join("."));
  if (v === undefined) throw new Error(`variable \${${name}} has no value`);
  return v;
}
