// The typed overrides of generated msw handlers: `mock.error(op, status)` accepts only the
// statuses the operation declares, `mock.reply(op, body)` only a body of its response type, and
// both are checked against the spec's schemas at run time too.

type Digit = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
type ToNumber<S> = S extends `${infer N extends number}` ? N : never;
type StatusRange<D extends number> = ToNumber<`${D}${Digit}${Digit}`>;
type Responses<O> = O extends { responses: infer R } ? R : never;
type ExplicitIn<R, D extends number> = {
  [K in keyof R]: K extends number ? (`${K}` extends `${D}${string}` ? K : never) : ToNumber<K> extends infer N extends number ? (`${N}` extends `${D}${string}` ? N : never) : never;
}[keyof R];
type StatusesIn<R, D extends number> = ExplicitIn<R, D> | (`${D}XX` extends keyof R ? StatusRange<D> : never) | ("default" extends keyof R ? StatusRange<D> : never);
type RangeKey<S extends number> = `${S}` extends `${infer D}${string}` ? `${D}XX` : never;
type ResponseAt<R, S extends number> = S extends keyof R
  ? R[S]
  : `${S}` extends keyof R
    ? R[`${S}` & keyof R]
    : RangeKey<S> extends keyof R
      ? R[RangeKey<S>]
      : "default" extends keyof R
        ? R["default" & keyof R]
        : never;
type JsonKey<C> = Extract<keyof C, "application/json" | `application/${string}+json` | `application/json;${string}` | `${string}/json`>;
type ContentOf<X> = X extends { content: infer C } ? ([JsonKey<C>] extends [never] ? C[keyof C] : C[JsonKey<C>]) : undefined;

/** The 4xx and 5xx statuses operation `O` may answer: declared ones, plus every one of a declared `4XX`/`5XX` or `default`. */
export type MockErrorStatus<O> = StatusesIn<Responses<O>, 4> | StatusesIn<Responses<O>, 5>;
/** The 2xx statuses operation `O` may answer. */
export type MockSuccessStatus<O> = StatusesIn<Responses<O>, 2>;
/** The body of `O`'s answer with status `S` (its JSON media type when it has one; `undefined` for no content). */
export type MockBody<O, S extends number> = ContentOf<ResponseAt<Responses<O>, S>>;
/** The status `mock.reply` uses when none is given: the lowest common 2xx the operation declares. */
export type MockDefaultStatus<O> =
  Responses<O> extends infer R
    ? 200 extends keyof R
      ? 200
      : 201 extends keyof R
        ? 201
        : 202 extends keyof R
          ? 202
          : 204 extends keyof R
            ? 204
            : MockSuccessStatus<O>
    : never;

/** How long an override lasts: every matching request (default), the next one, or the next `times`. */
export interface MockOverrideOptions {
  once?: boolean;
  times?: number;
}

/** Options of `mock.reply`. */
export interface MockReplyOptions<S extends number> extends MockOverrideOptions {
  /** A 2xx status the operation declares; default: the lowest it declares. */
  status?: S;
  headers?: Record<string, string>;
}

/** Options of `mock.error`. */
export interface MockErrorOptions<B> extends MockOverrideOptions {
  /** The error body (checked against the spec); default: the spec's example or generated data. */
  body?: B;
  headers?: Record<string, string>;
}

/** Thrown when an override or an answer would break the spec. */
export class MockContractError extends Error {
  override readonly name = "MockContractError";
}

/** A prepared answer: a status with an optional body (undefined: the spec's example or generated data), or a network failure. */
export type MockOverride = { status: number; body?: unknown; headers: Record<string, string> } | "network-error";

/** How an override is checked and stored, provided by the handlers. */
export interface MockOverrideSink {
  /** Throws {@link MockContractError} unless `operation` may answer `status` with `body`. */
  check(operation: string, status: number, body: unknown, hasBody: boolean): void;
  /** The lowest 2xx `operation` declares. */
  defaultStatus(operation: string): number;
}

/**
 * Per-test overrides of the generated handlers.
 *
 * @example
 * mock.error("getPetById", 404, { once: true });
 * mock.reply("listPets", [{ id: 1, name: "Rex" }]);
 * mock.delay(200, { operation: "listPets" });
 */
export interface MockControls<Ops> {
  /** The next requests of `operation` answer the error `status` (one the spec declares for it). */
  error<Op extends keyof Ops & string, S extends MockErrorStatus<Ops[Op]>>(operation: Op, status: S, options?: MockErrorOptions<MockBody<Ops[Op], S>>): MockControls<Ops>;
  /** The next requests of `operation` answer `body` (valid for the spec) with a 2xx status. */
  reply<Op extends keyof Ops & string, S extends MockSuccessStatus<Ops[Op]> = MockDefaultStatus<Ops[Op]>>(
    operation: Op,
    body: MockBody<Ops[Op], S>,
    options?: MockReplyOptions<S>,
  ): MockControls<Ops>;
  /** The next requests of `operation` fail without an answer (`TypeError: Failed to fetch`). */
  networkError(operation: keyof Ops & string, options?: MockOverrideOptions): MockControls<Ops>;
  /** Answers (of one operation, or all) wait `ms` first. */
  delay(ms: number, options?: MockOverrideOptions & { operation?: keyof Ops & string }): MockControls<Ops>;
  /** Drops every override. */
  reset(): void;
}

interface Entry<T> {
  operation: string | undefined;
  left: number;
  value: T;
}

function lifetime(options: MockOverrideOptions | undefined): number {
  const left = options?.times ?? (options?.once === true ? 1 : Number.POSITIVE_INFINITY);
  if (!(left >= 1)) throw new MockContractError(`an override must last at least once (times: ${String(options?.times)})`);
  return left;
}

/** The first entry for `operation` (or for every operation), used up by one. */
function consume<T>(entries: Array<Entry<T>>, operation: string): T | undefined {
  const at = entries.findIndex((e) => e.operation === undefined || e.operation === operation);
  const found = entries[at];
  if (found === undefined) return undefined;
  found.left -= 1;
  if (found.left <= 0) entries.splice(at, 1);
  return found.value;
}

/** The store behind {@link MockControls}; the handlers take overrides from it. */
export class MswOverrides<Ops> implements MockControls<Ops> {
  readonly #answers: Array<Entry<MockOverride>> = [];
  readonly #delays: Array<Entry<number>> = [];

  constructor(readonly sink: MockOverrideSink) {}

  error<Op extends keyof Ops & string, S extends MockErrorStatus<Ops[Op]>>(operation: Op, status: S, options: MockErrorOptions<MockBody<Ops[Op], S>> = {}): MockControls<Ops> {
    if (!(Number(status) >= 400 && Number(status) <= 599)) throw new MockContractError(`mock.error is for 4xx and 5xx answers; use mock.reply for ${String(status)}`);
    this.sink.check(operation, status, options.body, options.body !== undefined);
    const value: MockOverride = { status, headers: options.headers ?? {}, ...(options.body === undefined ? {} : { body: options.body }) };
    this.#answers.push({ operation, left: lifetime(options), value });
    return this;
  }

  reply<Op extends keyof Ops & string, S extends MockSuccessStatus<Ops[Op]> = MockDefaultStatus<Ops[Op]>>(
    operation: Op,
    body: MockBody<Ops[Op], S>,
    options: MockReplyOptions<S> = {},
  ): MockControls<Ops> {
    const status = options.status ?? this.sink.defaultStatus(operation);
    if (!(status >= 200 && status <= 299)) throw new MockContractError(`mock.reply is for 2xx answers; use mock.error for ${status}`);
    this.sink.check(operation, status, body, true);
    this.#answers.push({ operation, left: lifetime(options), value: { status, body, headers: options.headers ?? {} } });
    return this;
  }

  networkError(operation: keyof Ops & string, options?: MockOverrideOptions): MockControls<Ops> {
    this.sink.defaultStatus(operation);
    this.#answers.push({ operation, left: lifetime(options), value: "network-error" });
    return this;
  }

  delay(ms: number, options: MockOverrideOptions & { operation?: keyof Ops & string } = {}): MockControls<Ops> {
    if (!(ms >= 0)) throw new MockContractError(`mock.delay needs milliseconds ≥ 0, got ${ms}`);
    if (options.operation !== undefined) this.sink.defaultStatus(options.operation);
    this.#delays.push({ operation: options.operation, left: lifetime(options), value: ms });
    return this;
  }

  reset(): void {
    this.#answers.length = 0;
    this.#delays.length = 0;
  }

  /** The override for this request of `operation`, if any (used up by one). */
  takeAnswer(operation: string): MockOverride | undefined {
    return consume(this.#answers, operation);
  }

  /** Milliseconds to wait before answering this request of `operation`. */
  takeDelay(operation: string): number {
    return consume(this.#delays, operation) ?? 0;
  }
}
