import { delay as wait, http, HttpResponse, type HttpHandler } from "msw";
import { MockContractError, MswOverrides, type MockControls } from "./mswControls.js";
import { mswRandom } from "./mswRandom.js";
import { mswSample } from "./mswSample.js";

/** One answer an operation declares: its media type (null: no content), schema, example and zod validator's name. */
export interface MockResponseSpec {
  contentType: string | null;
  schema?: unknown;
  /** The spec's example for this media type, when it gives one. */
  example?: unknown;
  /** The export of `schemas.ts` that validates the body (null: none, e.g. not JSON). */
  validator: string | null;
  /** Headers the answer carries: the spec's required ones and `Location`, by name, with their schemas. */
  headers?: Record<string, unknown>;
}

/** What the handlers know of one operation. */
export interface MockOperationSpec {
  method: string;
  path: string;
  requiredQuery: string[];
  body: { required: boolean; contentType: string; validator: string | null } | null;
  /** By status key as the spec writes it: `"200"`, `"4XX"`, `"default"`. */
  responses: Record<string, MockResponseSpec>;
}

/** The part of the spec the generated handlers embed. */
export interface MockDocument {
  /** The spec's server URLs, variables replaced by their defaults. */
  servers: string[];
  operations: Record<string, MockOperationSpec>;
  /** `components` (for `$ref`s inside schemas). */
  components: { [key: string]: unknown };
}

/** What validates a body: a zod schema (`safeParse`). */
interface Validator {
  safeParse(value: unknown): { success: boolean; error?: { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }> } };
}

/** Options of the generated `createMockHandlers`. */
export interface MockHandlersOptions {
  /** Where the API lives: an absolute URL, a path prefix (`/api/v3`: any origin) or `"*"` (any origin). Default: the spec's first server. */
  baseUrl?: string;
  /** Seed of the generated data: the same seed, the same answers. Default 1. */
  seed?: number | string;
  /** Answer the spec's examples where it gives valid ones (default true); false: always generated data. */
  examples?: boolean;
  /** Answer a request that breaks the spec (missing required query parameter, invalid JSON body) with a declared 400/422/4XX/default; default true. */
  validateRequests?: boolean;
}

/** The handlers for `setupServer`/`setupWorker`, their typed overrides, and a reset. */
export interface MockHandlers<Ops> {
  handlers: HttpHandler[];
  mock: MockControls<Ops>;
  /** Drops every override (call it in `afterEach`). */
  reset(): void;
}

const isJson = (type: string | null): boolean => type !== null && /^application\/(?:[\w.+-]+\+)?json$/i.test(type.split(";")[0]?.trim() ?? "");

function problems(validator: Validator, value: unknown): string | undefined {
  const parsed = validator.safeParse(value);
  if (parsed.success) return undefined;
  return (parsed.error?.issues ?? []).map((i) => `/${i.path.map(String).join("/")} ${i.message}`).join("; ") || "invalid";
}

/** Matches a request URL: the base (origin and path prefix), then each operation's path template. */
function urlMatcher(baseUrl: string): (url: URL) => string | undefined {
  if (baseUrl === "*") return (url) => url.pathname;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(baseUrl);
  const base = new URL(baseUrl, "http://any.invalid");
  const prefix = base.pathname.replace(/\/+$/, "");
  return (url) => {
    if (absolute && url.origin !== base.origin) return undefined;
    if (prefix === "") return url.pathname;
    return url.pathname === prefix || url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) || "/" : undefined;
  };
}

function pathPattern(template: string): RegExp {
  const escaped = template.split(/(\{[^}]+\})/).map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return new RegExp(`^${escaped.join("")}/?$`);
}

/** Literal segments before templated ones, so `/pets/mine` wins over `/pets/{id}`. */
function specificity(path: string): string {
  return path
    .split("/")
    .map((segment) => (segment.includes("{") ? "\u0001" : `\u0000${segment}`))
    .join("/");
}

/**
 * msw 2 handlers for every operation of a document: each answers the spec's example for its
 * lowest 2xx, or schema-valid data generated from the seed (the same for every call of that
 * operation), after checking the request; `mock` overrides answers per test. Called by the
 * generated `createMockHandlers` of `msw.ts`, which supplies the document, the zod schemas and
 * the operation types.
 *
 * @example
 * const { handlers, mock, reset } = createMswHandlers<MockOperations>(document, schemas, { seed: 7 });
 */
export function createMswHandlers<Ops>(document: MockDocument, schemas: { readonly [name: string]: unknown }, options: MockHandlersOptions = {}): MockHandlers<Ops> {
  const seed = options.seed ?? 1;
  const validateRequests = options.validateRequests ?? true;
  const stripUrl = urlMatcher(options.baseUrl ?? document.servers[0] ?? "*");
  // Every handler's predicate sees the request: parse its URL once, not once per operation.
  const paths = new WeakMap<Request, string | undefined>();
  const strip = (request: Request): string | undefined => {
    if (!paths.has(request)) paths.set(request, stripUrl(new URL(request.url)));
    return paths.get(request);
  };
  const root = { components: document.components };
  const cache = new Map<string, unknown>();

  const operationOf = (operation: string): MockOperationSpec => {
    const found = document.operations[operation];
    if (!found) throw new MockContractError(`the spec has no operation '${operation}'`);
    return found;
  };
  const responseOf = (operation: string, status: number): MockResponseSpec | undefined => {
    const { responses } = operationOf(operation);
    return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  };
  const validatorOf = (name: string | null): Validator | undefined => {
    const candidate = name === null ? undefined : schemas[name];
    return typeof candidate === "object" && candidate !== null && typeof (candidate as Validator).safeParse === "function" ? (candidate as Validator) : undefined;
  };
  const defaultStatus = (operation: string): number => {
    const statuses = Object.keys(operationOf(operation).responses);
    const success = statuses.filter((s) => /^2\d\d$/.test(s)).sort()[0];
    if (success !== undefined) return Number(success);
    if (statuses.includes("2XX") || statuses.includes("default")) return 200;
    const first = statuses.map(Number).find((s) => s >= 100 && s <= 599);
    return first ?? 200;
  };

  /** The spec's example when it is valid, else generated data (a few streams, checked by zod). */
  const bodyFor = (operation: string, status: number): unknown => {
    const key = `${operation}\u0000${status}`;
    if (cache.has(key)) return cache.get(key);
    const response = responseOf(operation, status);
    let body: unknown;
    if (response && response.contentType !== null) {
      const validator = validatorOf(response.validator);
      if (options.examples !== false && "example" in response && (!validator || problems(validator, response.example) === undefined)) body = response.example;
      else if (response.schema !== undefined) {
        let why: string | undefined = "no attempt";
        for (let attempt = 0; attempt < 8 && why !== undefined; attempt++) {
          body = mswSample(response.schema, root, mswRandom(seed, operation, String(status), String(attempt)));
          why = validator ? problems(validator, body) : undefined;
        }
        if (why !== undefined) throw new MockContractError(`${operation} → ${status}: could not generate a valid body (${why}); give one with mock.reply/mock.error`);
      } else body = isJson(response.contentType) ? {} : "";
    }
    cache.set(key, body);
    return body;
  };

  const check = (operation: string, status: number, body: unknown, hasBody: boolean): void => {
    const response = responseOf(operation, status);
    if (!response) throw new MockContractError(`${operation} cannot answer ${status}: the spec declares ${Object.keys(operationOf(operation).responses).join(", ")}`);
    if (!hasBody) return;
    if (response.contentType === null) {
      if (body !== undefined && body !== null) throw new MockContractError(`${operation} → ${status} has no content in the spec`);
      return;
    }
    const validator = validatorOf(response.validator);
    const why = validator ? problems(validator, body) : undefined;
    if (why !== undefined) throw new MockContractError(`${operation} → ${status}: the body does not match the spec: ${why}`);
  };

  const overrides = new MswOverrides<Ops>({ check, defaultStatus });

  /** Values for the headers the spec requires (and `Location`), generated like bodies; `given` wins. */
  const headersFor = (operation: string, status: number, given: Record<string, string>): Record<string, string> => {
    const declared = responseOf(operation, status)?.headers ?? {};
    const out: Record<string, string> = {};
    const taken = new Set(Object.keys(given).map((name) => name.toLowerCase()));
    for (const [name, schema] of Object.entries(declared)) {
      if (taken.has(name.toLowerCase())) continue;
      const value = mswSample(schema, root, mswRandom(seed, operation, String(status), name));
      out[name] = (typeof value === "string" ? value : JSON.stringify(value)).replace(/[^\t\x20-\x7e]/g, "?");
    }
    return { ...out, ...given };
  };

  const respond = (operation: string, status: number, body: unknown, given: Record<string, string>): Response => {
    const headers = headersFor(operation, status, given);
    const response = responseOf(operation, status);
    const contentType = response?.contentType ?? null;
    if (contentType === null || body === undefined || [204, 205, 304].includes(status)) return new HttpResponse(null, { status, headers });
    const text = isJson(contentType) || typeof body !== "string" ? JSON.stringify(body) : body;
    return new HttpResponse(text, { status, headers: { "content-type": contentType, ...headers } });
  };

  /** Why the request breaks the spec, or undefined. */
  const requestProblem = async (spec: MockOperationSpec, request: Request, url: URL): Promise<string | undefined> => {
    const missing = spec.requiredQuery.filter((name) => !url.searchParams.has(name));
    if (missing.length > 0) return `missing required query parameter ${missing.join(", ")}`;
    if (!spec.body) return undefined;
    const text = await request.clone().text();
    if (text === "") return spec.body.required ? "the request body is required" : undefined;
    if (!isJson(spec.body.contentType)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return "the request body is not JSON";
    }
    const validator = validatorOf(spec.body.validator);
    const why = validator ? problems(validator, value) : undefined;
    return why === undefined ? undefined : `invalid request body: ${why}`;
  };

  const handlers: HttpHandler[] = Object.entries(document.operations)
    .sort(([, a], [, b]) => (specificity(a.path) < specificity(b.path) ? -1 : specificity(a.path) > specificity(b.path) ? 1 : 0))
    .map(([operation, spec]) => {
      const pattern = pathPattern(spec.path);
      const method = spec.method.toUpperCase();
      return http.all(
        ({ request }) => {
          if (request.method !== method) return false;
          const path = strip(request);
          return path !== undefined && pattern.test(path);
        },
        async ({ request }) => {
          const ms = overrides.takeDelay(operation);
          if (ms > 0) await wait(ms);
          const override = overrides.takeAnswer(operation);
          if (override === "network-error") return HttpResponse.error();
          if (override) return respond(operation, override.status, "body" in override ? override.body : bodyFor(operation, override.status), override.headers);
          if (validateRequests) {
            const why = await requestProblem(spec, request, new URL(request.url));
            if (why !== undefined) {
              const status = ["400", "422", "4XX", "default"].find((s) => s in spec.responses);
              if (status === undefined) throw new MockContractError(`${operation}: ${why} (and the spec declares no 400/422/4XX/default answer for it)`);
              const code = /^\d+$/.test(status) ? Number(status) : 400;
              return respond(operation, code, bodyFor(operation, code), { "x-mock-request-problem": why.replace(/[^\t\x20-\x7e]/g, "?").slice(0, 500) });
            }
          }
          const status = defaultStatus(operation);
          return respond(operation, status, bodyFor(operation, status), {});
        },
      );
    });

  return { handlers, mock: overrides, reset: () => overrides.reset() };
}
