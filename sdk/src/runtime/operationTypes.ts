// Types over openapi-typescript's operation objects (`paths["/pets/{id}"]["get"]`), shared by
// every generated client and by the SDK.

type Defined<T> = Exclude<T, undefined>;
type IsNever<T> = [T] extends [never] ? true : false;
type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226 | "2XX";

/** `{ key: T }` when T is required, `{ key?: T }` when optional, nothing when the operation has none. */
type Slot<K extends string, T, Required extends boolean> = IsNever<Defined<T>> extends true
  ? { [P in K]?: never }
  : Required extends true
    ? { [P in K]: Defined<T> }
    : { [P in K]?: Defined<T> };

type HasRequired<T> = IsNever<Defined<T>> extends true ? false : {} extends Defined<T> ? false : true;
type ParamsOf<O> = O extends { parameters: infer P } ? P : O extends { parameters?: infer P } ? Defined<P> : {};
type Part<O, K extends string> = K extends keyof ParamsOf<O> ? ParamsOf<O>[K] : never;

type BodyOf<O> = O extends { requestBody: { content: infer C } }
  ? C[keyof C]
  : O extends { requestBody?: { content: infer C } }
    ? C[keyof C] | undefined
    : never;

/**
 * The arguments of one operation: `path` and `body` required when the spec requires them,
 * `query` and `headers` optional unless a parameter is required.
 *
 * @example
 * type Args = OperationArgs<paths["/pets/{id}"]["get"]>; // { path: { id: number }; query?: never; … }
 */
export type OperationArgs<O> = Slot<"path", Part<O, "path">, HasRequired<Part<O, "path">>> &
  Slot<"query", Part<O, "query">, HasRequired<Part<O, "query">>> &
  Slot<"headers", Part<O, "header">, HasRequired<Part<O, "header">>> &
  Slot<"body", BodyOf<O>, O extends { requestBody: object } ? true : false>;

type ResponsesOf<O> = O extends { responses: infer R } ? R : never;
type BodyOfResponse<R> = R extends { content: infer C } ? (keyof C extends never ? undefined : C[keyof C]) : undefined;

type SuccessKeys<O> = Extract<keyof ResponsesOf<O>, SuccessStatus>;

/**
 * The decoded body of an operation's success (2xx) answers (`undefined` for 204 and the like;
 * `unknown` when the spec declares no 2xx answer at all).
 */
export type SuccessBody<O> = [SuccessKeys<O>] extends [never] ? unknown : BodyOfResponse<ResponsesOf<O>[SuccessKeys<O>]>;

type StatusNumber<S> = S extends number ? S : number;

/**
 * The declared error answers of an operation as a union of `{ status, body }` — `4XX`, `5XX` and
 * `default` become `status: number` — the `R` of the `ApiError<R>` it throws.
 */
export type ErrorResponses<O> = {
  [S in Exclude<keyof ResponsesOf<O>, SuccessStatus>]: { status: StatusNumber<S>; body: BodyOfResponse<ResponsesOf<O>[S]> };
}[Exclude<keyof ResponsesOf<O>, SuccessStatus>];

/** True when an operation can be called without arguments. */
export type ArgsOptional<O> = {} extends OperationArgs<O> ? true : false;
