const TOKEN = /^(\(([a-z][a-z0-9_-]*(\|[a-z][a-z0-9_-]*)*)\)|([a-z][a-z0-9_-]*))([*+?]?)$/;

/**
 * Compiles an event-order pattern into a predicate over event names. The pattern is a
 * space-separated list of names or `(a|b)` groups, each optionally followed by `*`, `+` or `?`.
 *
 * @example
 * const ok = compileOrder("status (status|progress)* result status");
 * ok(["status", "progress", "result", "status"]); // true
 * ok(["status", "result"]);                         // false
 */
export function compileOrder(pattern: string): (names: readonly string[]) => boolean {
  const parts = pattern.trim().split(/\s+/).map((token) => {
    const m = TOKEN.exec(token);
    if (!m) throw new Error(`bad event order token '${token}' in '${pattern}'`);
    const names = m[2] ?? m[4] ?? "";
    return `(?:(?:${names}) )${m[5] ?? ""}`;
  });
  const re = new RegExp(`^${parts.join("")}$`);
  // Names are joined with a trailing space so every token can match "name ".
  return (names) => re.test(names.map((n) => `${n} `).join(""));
}
