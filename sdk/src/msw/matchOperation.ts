import { routeMatcher, type RouteMatch as CoreRouteMatch } from "@polybridge/core";
import { operations, type OperationId } from "../gen/operations.js";

/** The first path segments of the operations (`/v1`): unknown paths under them answer 404. */
export const API_PREFIXES: ReadonlySet<string> = new Set(Object.values(operations).map((op) => `/${op.path.split("/")[1] ?? ""}`));

/** True when `pathname` is under one of the API's prefixes (the part of a site the mock owns). */
export function isApiPath(pathname: string): boolean {
  return [...API_PREFIXES].some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** How a request path maps onto the contract. */
export type RouteMatch = CoreRouteMatch<OperationId>;

/**
 * Finds the operation of `method` + `pathname` in the generated operation table (compiled once:
 * the routes cannot drift from the spec). Parameters stay percent-encoded.
 *
 * @example
 * matchOperation("GET", "/v1/jobs/job_1"); // { kind: "operation", operation: "getJob", rawParams: { id: "job_1" } }
 */
export const matchOperation = routeMatcher((Object.keys(operations) as OperationId[]).map((operation) => ({ operation, ...operations[operation] })));
