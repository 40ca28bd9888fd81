/** One route of the contract: an operation at a method and a path template (`/v1/jobs/{id}`). */
export interface Route<Id extends string = string> {
  operation: Id;
  method: string;
  path: string;
}

/** How a request path maps onto the routes. */
export type RouteMatch<Id extends string = string> =
  | { kind: "operation"; operation: Id; rawParams: Record<string, string> }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "none" };

/**
 * Compiles path templates once into a matcher: the operation of a method and path, with its raw
 * (still percent-encoded: decoding can fail, and that must be a 400, not a crash) path parameters;
 * or, for a known path with another method, the methods it allows (for `405` and `Allow`). The
 * server's 404/405 handler, the msw handlers and the spec's response validator share it.
 *
 * @example
 * const match = routeMatcher([{ operation: "getJob", method: "GET", path: "/v1/jobs/{id}" }]);
 * match("GET", "/v1/jobs/job_1"); // { kind: "operation", operation: "getJob", rawParams: { id: "job_1" } }
 * match("PUT", "/v1/jobs/job_1"); // { kind: "wrong-method", allowed: ["GET"] }
 */
export function routeMatcher<Id extends string>(routes: Iterable<Route<Id>>): (method: string, pathname: string) => RouteMatch<Id> {
  const compiled = [...routes].map(({ operation, method, path }) => {
    const names: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{([^}]+)\\?\}/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    return { operation, method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), names };
  });
  return (method, pathname) => {
    const allowed: string[] = [];
    for (const route of compiled) {
      const found = route.pattern.exec(pathname);
      if (!found) continue;
      if (route.method !== method.toUpperCase()) {
        allowed.push(route.method);
        continue;
      }
      return { kind: "operation", operation: route.operation, rawParams: Object.fromEntries(route.names.map((n, i) => [n, found[i + 1] ?? ""])) };
    }
    return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "none" };
  };
}
