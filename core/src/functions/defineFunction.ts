import type { z } from "zod";

/** What a running function can see: an AbortSignal that fires on cancel or timeout. */
export interface FunctionContext {
  signal: AbortSignal;
}

/** Members every kind of function shares. */
interface Common {
  name: string;
  description: string;
  /**
   * `true`: cheap and synchronous (microseconds): sync calls and small job chunks run on the
   * request thread instead of hopping to a worker, which costs more than the function itself.
   * `"auto"`: runs on the workers until the reference server has measured it there (8 runs) as so
   * fast that a call or a chunk takes at most 0.5 ms; such work then runs on the request thread,
   * and three runs there longer than 5 ms send the function back to the workers for good. Only for
   * functions whose slowest input is still short (it blocks the server while it runs there) and
   * that cannot exit, exhaust memory or loop forever.
   * Unset or `false`: always on the workers, where such a function cannot hurt the server.
   */
  inline?: boolean | "auto";
}

/** A JSON-serialisable key of a mapreduce pair. */
export type PairKey = string | number;

/** `input → output`: used by `call`, `map`, and (when it returns a boolean) `filter`. */
export interface UnaryFunction<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> extends Common {
  kind: "unary";
  input: I;
  output: O;
  run(input: z.output<I>, ctx: FunctionContext): z.input<O> | Promise<z.input<O>>;
}

/**
 * An associative fold with an identity (plists `fold(Fun, Fun2, Acc, List)`): `step` folds one
 * item into an accumulator, `combine` merges two accumulators in any order.
 */
export interface ReducerFunction<I extends z.ZodType = z.ZodType, A extends z.ZodType = z.ZodType> extends Common {
  kind: "reducer";
  input: I;
  output: A;
  identity: z.output<A>;
  step(acc: z.output<A>, item: z.output<I>): z.output<A>;
  combine(a: z.output<A>, b: z.output<A>): z.output<A>;
}

/** `input → [[key, value], …]`: the map side of a keyed mapreduce. */
export interface EmitterFunction<I extends z.ZodType = z.ZodType, V extends z.ZodType = z.ZodType> extends Common {
  kind: "emitter";
  input: I;
  value: V;
  run(input: z.output<I>, ctx: FunctionContext): Array<[PairKey, z.input<V>]>;
}

/** Any registered function. */
export type FunctionDefinition = UnaryFunction | ReducerFunction | EmitterFunction;

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new Error(`invalid function name '${name}': use ${NAME.source}`);
}

/**
 * Declares a unary function.
 *
 * @example
 * export const square = defineUnary({
 *   name: "square", description: "Squares a number.",
 *   input: z.number(), output: z.number(), run: (x) => x * x,
 * });
 */
export function defineUnary<I extends z.ZodType, O extends z.ZodType>(
  def: Omit<UnaryFunction<I, O>, "kind">,
): UnaryFunction<I, O> {
  checkName(def.name);
  return { kind: "unary", ...def };
}

/**
 * Declares a reducer; `step` defaults to `combine` when items and accumulators are alike.
 *
 * @example
 * export const sum = defineReducer({
 *   name: "sum", description: "Adds numbers.", input: z.number(), output: z.number(),
 *   identity: 0, combine: (a, b) => a + b,
 * });
 */
export function defineReducer<I extends z.ZodType, A extends z.ZodType>(
  def: Omit<ReducerFunction<I, A>, "kind" | "step"> & { step?: ReducerFunction<I, A>["step"] },
): ReducerFunction<I, A> {
  checkName(def.name);
  const step = def.step ?? (def.combine as unknown as ReducerFunction<I, A>["step"]);
  return { kind: "reducer", ...def, step };
}

/**
 * Declares an emitter for mapreduce jobs.
 *
 * @example
 * export const letters = defineEmitter({
 *   name: "letters", description: "Counts letters.", input: z.string(), value: z.number(),
 *   run: (s) => [...s].map((c) => [c, 1]),
 * });
 */
export function defineEmitter<I extends z.ZodType, V extends z.ZodType>(
  def: Omit<EmitterFunction<I, V>, "kind">,
): EmitterFunction<I, V> {
  checkName(def.name);
  return { kind: "emitter", ...def };
}
