import type { z } from "zod";

/** One invalid field, as the contract's `FieldError`. */
export interface FieldError {
  path: string;
  message: string;
}

const pointer = (path: readonly PropertyKey[]): string =>
  path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

/**
 * Turns zod issues into the contract's `errors[]`: RFC 6901 JSON Pointers under `prefix` (`""`
 * for a body, `/input` for a call's input, `/<name>` for a query or path parameter). A missing or
 * extra member is its own pointer (`/input/forks`). A failed union reports the branch that got
 * furthest, as its paths point at the field the client most likely got wrong.
 *
 * @example
 * zodFieldErrors(schema.safeParse({ options: { chunkSize: 0 } }).error); // [{ path: "/options/chunkSize", … }]
 */
export function zodFieldErrors(error: z.ZodError, prefix = ""): FieldError[] {
  const out: FieldError[] = [];
  const walk = (issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[]): void => {
    for (const issue of issues) {
      const path = [...base, ...issue.path];
      if (issue.code === "invalid_union" && issue.errors.length > 0) {
        // The deepest branch: the one that matched the most before failing.
        const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
        if (best.length > 0) {
          walk(best, path);
          continue;
        }
      }
      const key = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
      for (const k of key) out.push({ path: `${prefix}${pointer(k === undefined ? path : [...path, k])}`, message: issue.message });
    }
  };
  walk(error.issues, []);
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(`${e.path} ${e.message}`) && seen.add(`${e.path} ${e.message}`));
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}
