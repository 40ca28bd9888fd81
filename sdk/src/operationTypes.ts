import type { operations as Operations } from "./gen/types.js";
import type { OperationId } from "./gen/operations.js";

type Params<Op extends OperationId> = Operations[Op]["parameters"];
type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 206;
type Defined<T> = Exclude<T, undefined>;
type IsNever<T> = [T] extends [never] ? true : false;

/** `{ key: T }` when T is required, `{ key?: T }` when optional, nothing when the operation has none. */
type Slot<K extends string, T, Required extends boolean> = IsNever<Defined<T>> extends true
  ? { [P in K]?: never }
  : Required extends true
    ? { [P in K]: Defined<T> }
    : { [P in K]?: Defined<T> };

type HasRequired<T> = IsNever<Defined<T>> extends true ? false : {} extends Defined<T> ? false : true;

type BodyOf<Op extends OperationId> = Operations[Op] extends { requestBody: { content: infer C } }
  ? C[keyof C]
  : Operations[Op] extends { requestBody?: { content: infer C } }
    ? C[keyof C] | undefined
    : never;

/**
 * The arguments of one operation, from the generated types: `path` and `body` required when the
 * contract requires them, `query` and `headers` optional unless a parameter is required.
 */
export type OperationArgs<Op extends OperationId> = Slot<"path", Params<Op>["path"], HasRequired<Params<Op>["path"]>> &
  Slot<"query", Params<Op>["query"], HasRequired<Params<Op>["query"]>> &
  Slot<"headers", Params<Op>["header"], HasRequired<Params<Op>["header"]>> &
  Slot<"body", BodyOf<Op>, Operations[Op] extends { requestBody: object } ? true : false>;

type ResponseBody<R> = R extends { content: infer C } ? C[keyof C] : undefined;

/** The decoded body of an operation's success (2xx) answers. */
export type OperationResult<Op extends OperationId> = ResponseBody<
  Operations[Op]["responses"][Extract<keyof Operations[Op]["responses"], SuccessStatus>]
>;

/** True when an operation can be called without arguments. */
export type ArgsOptional<Op extends OperationId> = {} extends OperationArgs<Op> ? true : false;
