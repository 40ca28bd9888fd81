import { operations, type OperationId } from "../gen/operations.js";
import type { ServerErrorCode } from "../schemaTypes.js";
import { errorStatusByCode } from "./gen/errorStatuses.js";

type Responses<Op extends OperationId> = (typeof operations)[Op]["responses"];
type StatusTable = typeof errorStatusByCode;

/** An error code that an HTTP answer can carry (the contract gives it a status). */
export type HttpErrorCode = keyof StatusTable & ServerErrorCode;

type ExplicitErrorStatus<Op extends OperationId> = {
  [K in keyof Responses<Op>]: K extends `${4 | 5}${string}` ? (K extends `${infer N extends number}` ? N : never) : never;
}[keyof Responses<Op>];

type RangedErrorStatus<Op extends OperationId> = {
  [C in HttpErrorCode]: `${StatusTable[C]}` extends `${infer D}${string}` ? (`${D}XX` extends keyof Responses<Op> ? StatusTable[C] : never) : never;
}[HttpErrorCode];

/**
 * The error statuses `operation` may answer, from the generated operation table: the ones it
 * declares (`404`, `409`, …) plus, for a declared range (`4XX`, `5XX`), the statuses of the
 * contract's error codes in that range. `418` is never one: no code has it.
 */
export type ErrorStatus<Op extends OperationId> = ExplicitErrorStatus<Op> | RangedErrorStatus<Op>;

/** The codes whose contract status is `S` (`503` → `queue_full | shutting_down`). */
export type ErrorCodeFor<S extends number> = { [C in HttpErrorCode]: StatusTable[C] extends S ? C : never }[HttpErrorCode];

/**
 * The runtime twin of {@link ErrorStatus}, for callers without the types (plain JS, JSON
 * fixtures) and to explain a refusal.
 *
 * @example
 * allowedErrorStatuses("getJobResult").has(409); // true
 */
export function allowedErrorStatuses(operation: OperationId): ReadonlySet<number> {
  const declared = Object.keys(operations[operation].responses);
  const out = new Set<number>();
  for (const key of declared) if (/^[45]\d\d$/.test(key)) out.add(Number(key));
  for (const status of Object.values(errorStatusByCode)) if (declared.includes(`${String(status)[0]}XX`)) out.add(status);
  return out;
}

/** The codes whose contract status is `status`, in the contract's order. */
export function codesForStatus(status: number): HttpErrorCode[] {
  return (Object.entries(errorStatusByCode) as Array<[HttpErrorCode, number]>).filter(([, s]) => s === status).map(([c]) => c);
}
