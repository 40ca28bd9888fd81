import { operations, type OperationId } from "../gen/operations.js";

interface CompiledRoute {
  operation: OperationId;
  method: string;
  pattern: RegExp;
  names: string[];
}

// Compiled once from the generated table: the routes cannot drift from the spec.
const ROUTES: CompiledRoute[] = (Object.keys(operations) as OperationId[]).map((operation) => {
  const { method, path } = operations[operation];
  const names: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{([^}]+)\\?\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { operation, method, pattern: new RegExp(`^${source}$`), names };
});

/** The first path segments of the operations (`/v1`): unknown paths under them answer 404. */
export const API_PREFIXES: ReadonlySet<string> = new Set(Object.values(operations).map((op) => `/${op.path.split("/")[1] ?? ""}`));

/** True when `pathname` is under one of the API's prefixes (the part of a site the mock owns). */
export function isApiPath(pathname: string): boolean {
  return [...API_PREFIXES].some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** How a request path maps onto the contract. */
export type RouteMatch =
  | { kind: "operation"; operation: OperationId; rawParams: Record<string, string> }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "none" };

/**
 * Finds the operation of `method` + `pathname` in the generated operation table. Parameters
 * stay percent-encoded: decoding can fail, and that must be a 400 problem, not a crash.
 *
 * @example
 * matchOperation("GET", "/v1/jobs/job_1"); // { kind: "operation", operation: "getJob", rawParams: { id: "job_1" } }
 */
export function matchOperation(method: string, pathname: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const found = route.pattern.exec(pathname);
    if (!found) continue;
    if (route.method !== method.toUpperCase()) {
      allowed.push(route.method);
      continue;
    }
    return { kind: "operation", operation: route.operation, rawParams: Object.fromEntries(route.names.map((n, i) => [n, found[i + 1] ?? ""])) };
  }
  return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "none" };
}
