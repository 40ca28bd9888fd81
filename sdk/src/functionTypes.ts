import type { FunctionKind } from "./schemaTypes.js";

/** One entry of a typed function catalogue (what `generateFunctions` writes). */
export interface FunctionSignature {
  kind: FunctionKind;
  input: unknown;
  output: unknown;
}

/** A catalogue: function name → signature. */
export type FunctionCatalog = Record<string, FunctionSignature>;

/** The catalogue of an untyped client: any name, unknown input and output. */
export type AnyFunctions = Record<string, { kind: FunctionKind; input: unknown; output: unknown }>;

/** What `call` takes: a reducer folds one item into an accumulator, `[accumulator, item]`. */
export type CallInput<S extends FunctionSignature> = S["kind"] extends "reducer" ? [S["output"], S["input"]] : S["input"];

/** What `call` returns: an emitter returns its `[key, value]` pairs (as described by its output schema). */
export type CallOutput<S extends FunctionSignature> = S["output"];

/** Names of the functions of kind `K` in catalogue `F`. */
export type FunctionsOfKind<F extends FunctionCatalog, K extends FunctionKind> = {
  [N in keyof F & string]: F[N]["kind"] extends K ? N : never;
}[keyof F & string];
