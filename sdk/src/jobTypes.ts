import type { components } from "./gen/types.js";
import type { FunctionCatalog, FunctionSignature, FunctionsOfKind } from "./functionTypes.js";
import type { JobEvent, JobRequest, JobResult } from "./schemaTypes.js";

type Schemas = components["schemas"];

/**
 * True for a catalogue with known names (the `Functions` that `polybridge generate functions`
 * writes), false for the untyped client's `AnyFunctions` (any string is a name).
 */
export type IsTypedCatalog<F extends FunctionCatalog> = string extends keyof F ? false : true;

/**
 * Whether a job over `input.range` may use this function: the range's items are integers, so
 * its input must accept every number. `generate functions` turns JSON Schema `integer` and
 * `number` both into `number` (TypeScript has no integer type), so both allow a range; so does
 * an unconstrained input (`{}` → `unknown`). Strings, objects, enums of literals do not.
 */
export type AcceptsRange<S extends FunctionSignature> = [number] extends [S["input"]] ? true : false;

/** The `input` of a job over function `S`: `{ items }` of its input type, or `{ range }` where {@link AcceptsRange}. */
export type JobInputOf<S extends FunctionSignature> = { items: S["input"][] } | (AcceptsRange<S> extends true ? { range: Schemas["Range"] } : never);

/** A `[key, value]` pair an emitter returns (its output is a list of them); `[unknown, unknown]` when its output is untyped. */
export type EmittedPair<S extends FunctionSignature> = S["output"] extends readonly (infer P)[] ? (P extends readonly [infer K, infer V, ...unknown[]] ? [K, V] : [unknown, unknown]) : [unknown, unknown];
/** The key type of an emitter's `[key, value]` pairs. */
export type EmitterKey<S extends FunctionSignature> = EmittedPair<S>[0];
/** The value type of an emitter's `[key, value]` pairs (what the reducer of a mapreduce folds). */
export type EmitterValue<S extends FunctionSignature> = EmittedPair<S>[1];

/** A unary function can filter when it answers a boolean (or its output is untyped). */
type CanFilter<S extends FunctionSignature> = unknown extends S["output"] ? true : [S["output"]] extends [boolean] ? true : false;

/** The reducers of `F` that can fold the values emitter `E` emits (any reducer when those values are untyped). */
export type ReducersFor<F extends FunctionCatalog, E extends keyof F> = {
  [Rd in FunctionsOfKind<F, "reducer">]: unknown extends EmitterValue<F[E]> ? Rd : [EmitterValue<F[E]>] extends [F[Rd]["input"]] ? Rd : never;
}[FunctionsOfKind<F, "reducer">];

type Options = { options?: Schemas["JobOptions"] };

/**
 * The job requests a typed catalogue allows:
 * - `map`: a `unary` function; `filter`: a `unary` function answering a boolean;
 * - `fold`: a `reducer`;
 * - `mapreduce`: an `emitter` as `function` and, as `reducer`, a reducer whose input takes the
 *   emitter's values;
 * - `input.items` of the function's input type, `input.range` only where {@link AcceptsRange}.
 */
export type TypedJobRequest<F extends FunctionCatalog> =
  | { [N in FunctionsOfKind<F, "unary">]: { kind: "map"; function: N; input: JobInputOf<F[N]> } & Options }[FunctionsOfKind<F, "unary">]
  | { [N in FunctionsOfKind<F, "unary">]: CanFilter<F[N]> extends true ? { kind: "filter"; function: N; input: JobInputOf<F[N]> } & Options : never }[FunctionsOfKind<F, "unary">]
  | { [N in FunctionsOfKind<F, "reducer">]: { kind: "fold"; function: N; input: JobInputOf<F[N]> } & Options }[FunctionsOfKind<F, "reducer">]
  | { [E in FunctionsOfKind<F, "emitter">]: { kind: "mapreduce"; function: E; reducer: ReducersFor<F, E>; input: JobInputOf<F[E]> } & Options }[FunctionsOfKind<F, "emitter">];

/** What `jobs.run` / `jobs.submit` accept: the catalogue's {@link TypedJobRequest}s, or any `JobRequest` without a catalogue. */
export type JobRequestOf<F extends FunctionCatalog> = IsTypedCatalog<F> extends true ? TypedJobRequest<F> : JobRequest;

/** A map job's result: one output of the function per item, in input order. */
export interface TypedMapResult<Out> {
  kind: "map";
  items: Out[];
}
/** A filter job's result: the kept items (the function's input type), in input order. */
export interface TypedFilterResult<In> {
  kind: "filter";
  items: In[];
}
/** A fold job's result: the reducer's value (its output type). */
export interface TypedFoldResult<Value> {
  kind: "fold";
  value: Value;
}
/** A mapreduce job's result: one `[key, value]` per distinct key (the emitter's key, the reducer's value), sorted by key. */
export interface TypedMapReduceResult<Key, Value> {
  kind: "mapreduce";
  entries: [Key, Value][];
}

/** The typed result of request `R` over catalogue `F` (see {@link JobResultOf}). */
export type TypedJobResult<F extends FunctionCatalog, R> = R extends { kind: "map"; function: infer N extends keyof F }
  ? TypedMapResult<F[N]["output"]>
  : R extends { kind: "filter"; function: infer N extends keyof F }
    ? TypedFilterResult<F[N]["input"]>
    : R extends { kind: "fold"; function: infer N extends keyof F }
      ? TypedFoldResult<F[N]["output"]>
      : R extends { kind: "mapreduce"; function: infer E extends keyof F; reducer: infer Rd extends keyof F }
        ? TypedMapReduceResult<EmitterKey<F[E]>, F[Rd]["output"]>
        : never;

/** The result type for a request of a given kind (`map` → `MapResult`, …), as the contract types it. */
export type ResultOf<R extends JobRequest> = Extract<JobResult, { kind: R["kind"] }>;

/**
 * The result of job request `R`. With a typed catalogue: `map` → `{ items: Output[] }`,
 * `filter` → `{ items: Input[] }`, `fold` → `{ value: ReducerOutput }`, `mapreduce` →
 * `{ entries: [EmitterKey, ReducerOutput][] }`. Without one: {@link ResultOf} (`unknown` items).
 */
export type JobResultOf<F extends FunctionCatalog, R> = IsTypedCatalog<F> extends true ? TypedJobResult<F, R> : Extract<JobResult, { kind: KindOf<R> }>;

type KindOf<R> = R extends { kind: infer K } ? K : never;

/**
 * A job's events with the `result` event's `data` typed `R` (covariant in `R`, so a
 * `JobHandle<TypedMapResult<number>>` is a `JobHandle`). `JobEventOf<JobResult>` is `JobEvent`.
 */
export type JobEventOf<R extends JobResult = JobResult> = Exclude<JobEvent, { event: "result" }> | { event: "result"; data: R; id?: string };
