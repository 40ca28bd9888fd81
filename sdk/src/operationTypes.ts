import type { operations as Operations } from "./gen/types.js";
import type { OperationId } from "./gen/operations.js";
import type { ArgsOptional as ArgsOptionalOf, OperationArgs as OperationArgsOf, SuccessBody } from "./runtime/operationTypes.js";

/**
 * The arguments of one operation, from the generated types: `path` and `body` required when the
 * contract requires them, `query` and `headers` optional unless a parameter is required.
 */
export type OperationArgs<Op extends OperationId> = OperationArgsOf<Operations[Op]>;

/** The decoded body of an operation's success (2xx) answers. */
export type OperationResult<Op extends OperationId> = SuccessBody<Operations[Op]>;

/** True when an operation can be called without arguments. */
export type ArgsOptional<Op extends OperationId> = ArgsOptionalOf<Operations[Op]>;
