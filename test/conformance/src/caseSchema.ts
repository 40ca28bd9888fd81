import { z } from "zod";

// The shape of `cases/*.yaml`. Matchers stay `unknown` here; loadCases lints them.

const headers = z.record(z.string(), z.union([z.string(), z.number()]));
// A path is literal (`/v1/...`) or comes from a variable (`${location}`).
const path = z.string().regex(/^(\/|\$\{)/, "a path starts with / or ${");
/**
 * Whose credentials a step sends when the run has a token (`--token`): `token` (the default)
 * sends `Authorization: Bearer <token>`, `otherToken` the second tenant's (`--other-token`),
 * `none` no `Authorization` at all, `wrong` a bearer token the server was not given. A case with
 * any step that says `auth` needs a token (and `otherToken` an other token); without, it is skipped.
 */
export const authSchema = z.enum(["token", "otherToken", "none", "wrong"]);

/** One HTTP request of a step. */
export const requestSpecSchema = z
  .strictObject({
    method: z.string().regex(/^[A-Z]+$/).default("GET"),
    path,
    headers: headers.optional(),
    /** A JSON body (sent as `application/json` unless `headers` say otherwise). */
    body: z.unknown().optional(),
    /** A body sent byte for byte (malformed JSON, other media types). */
    bodyRaw: z.string().optional(),
    /** A valid JSON job body padded to exactly this many bytes. */
    bodyBytes: z.number().int().positive().optional(),
    /** Whose credentials to send (see `authSchema`); default: the run's token, if any. */
    auth: authSchema.optional(),
  })
  .refine((r) => [r.body, r.bodyRaw, r.bodyBytes].filter((b) => b !== undefined).length <= 1, {
    message: "use at most one of body, bodyRaw, bodyBytes",
  });

/** Expectations on one HTTP response. */
export const expectSpecSchema = z.strictObject({
  status: z.unknown().optional(),
  headers: z.record(z.string(), z.unknown()).optional(),
  body: z.unknown().optional(),
  /** A matcher over the body exactly as received, as text (e.g. how a number is written). */
  bodyText: z.unknown().optional(),
  elapsedMs: z.unknown().optional(),
});

const capture = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string());

export const requestStepSchema = z.strictObject({
  request: requestSpecSchema,
  /** Repeat the request until `until` matches (then `expect` applies to the last response). */
  poll: z
    .strictObject({
      until: expectSpecSchema,
      timeoutMs: z.number().int().positive().default(15_000),
      intervalMs: z.number().int().positive().default(100),
    })
    .optional(),
  expect: expectSpecSchema.optional(),
  capture: capture.optional(),
});

export const sseStepSchema = z.strictObject({
  sse: z.strictObject({
    path,
    headers: headers.optional(),
    /** Whose credentials to send (see `authSchema`); default: the run's token, if any. */
    auth: authSchema.optional(),
    /** Stop (client side) after this many events. */
    maxEvents: z.number().int().positive().optional(),
    /** Stop (client side) after reading this long; the stream staying open is then fine. */
    durationMs: z.number().int().positive().optional(),
    /** Give up when the server has not closed the stream by then. */
    timeoutMs: z.number().int().positive().default(20_000),
  }),
  expect: z
    .strictObject({
      ...expectSpecSchema.shape,
      /** Whether the server closed the stream (true) or we stopped reading (false). */
      closed: z.boolean().optional(),
      /** Event names in order, e.g. `status (status|progress)* result status`. */
      order: z.string().optional(),
      firstId: z.number().int().positive().optional(),
      /** Every event id is greater than this (resuming with `Last-Event-ID`). */
      afterId: z.union([z.number().int().nonnegative(), z.string()]).optional(),
      heartbeats: z.unknown().optional(),
      events: z.unknown().optional(),
      first: z.unknown().optional(),
      last: z.unknown().optional(),
    })
    .optional(),
  capture: capture.optional(),
});

/**
 * Bytes written as is on a new TCP connection, for what an HTTP client library will not send
 * (malformed requests, pipelined requests, `Connection: close` and whether the server then closes).
 */
export const rawStepSchema = z.strictObject({
  raw: z.strictObject({
    /** The request(s) as text, CRLFs included (YAML double quotes: `"GET / HTTP/1.1\r\n…"`). */
    send: z.string().min(1),
    /** Whose credentials to send (see `authSchema`): an `Authorization` line after each request line. */
    auth: authSchema.optional(),
    /** Stop once this many complete responses arrived (unless `expect.closed` waits for the close). */
    responses: z.number().int().positive().default(1),
    /** How long to wait for the responses (and the close). */
    timeoutMs: z.number().int().positive().default(5_000),
  }),
  /** `status`, `headers`, `body`, `bodyText` and `elapsedMs` apply to the first response. */
  expect: z
    .strictObject({
      ...expectSpecSchema.shape,
      /** Whether the server closed the socket within `timeoutMs`. */
      closed: z.boolean().optional(),
      /** A matcher over the list of every response, `{ status, headers, body, bodyText }`. */
      responses: z.unknown().optional(),
    })
    .optional(),
  capture: capture.optional(),
});

export const sleepStepSchema = z.strictObject({ sleep: z.number().int().nonnegative() });

export const checkStepSchema = z.strictObject({
  check: z.string(),
  args: z.record(z.string(), z.unknown()).default({}),
});

/** The step kinds, picked by their leading key. */
export const stepSchemas = {
  request: requestStepSchema,
  sse: sseStepSchema,
  raw: rawStepSchema,
  sleep: sleepStepSchema,
  check: checkStepSchema,
} as const;

export const caseSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*(\.[A-Za-z0-9-]+)+$/, "ids look like area.topic.detail"),
  requirement: z.string().min(10),
  /** Run alone, after the concurrent cases (for global views such as the job list). */
  exclusive: z.boolean().default(false),
  timeoutMs: z.number().int().positive().default(30_000),
  steps: z.array(z.record(z.string(), z.unknown())).min(1),
  /** Clean-up steps that run even when a step failed (e.g. cancel a sleeping job). */
  finally: z.array(z.record(z.string(), z.unknown())).default([]),
});

export const caseFileSchema = z.strictObject({ cases: z.array(z.unknown()).min(1) });

export type Auth = z.infer<typeof authSchema>;
export type RequestSpec = z.infer<typeof requestSpecSchema>;
export type ExpectSpec = z.infer<typeof expectSpecSchema>;
export type RequestStep = z.infer<typeof requestStepSchema>;
export type SseStep = z.infer<typeof sseStepSchema>;
export type SseExpect = NonNullable<SseStep["expect"]>;
export type RawStep = z.infer<typeof rawStepSchema>;
export type SleepStep = z.infer<typeof sleepStepSchema>;
export type CheckStep = z.infer<typeof checkStepSchema>;
export type Step = RequestStep | SseStep | RawStep | SleepStep | CheckStep;
