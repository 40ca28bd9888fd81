import { defaultLimits } from "@polybridge/core";
import { conformanceFunctions, FunctionRegistry, type FunctionDefinition } from "@polybridge/core/functions";
import { delay, http, HttpResponse, type HttpHandler } from "msw";
import { operations, type OperationId } from "../gen/operations.js";
import { checkResponse } from "./checkResponse.js";
import { isApiPath, matchOperation, type RouteMatch } from "./matchOperation.js";
import { mockAuth, type MockOpenGroup } from "./mockAuth.js";
import { MockJobEngine } from "./MockJobEngine.js";
import { MockOverrides, type MockAnswer, type MockControls } from "./MockControls.js";
import { MockProblemError } from "./mockProblem.js";
import { operationResolvers, type ResolvedAnswer } from "./operationResolvers.js";
import { parseParameters } from "./parseParameters.js";
import { DEFAULT_LIMITS, readJsonBody, type MockLimits } from "./readJsonBody.js";
import { seededRandom } from "./seededRandom.js";
import { validateBody } from "./validateBody.js";

/** Options of {@link createHandlers}. */
export interface CreateHandlersOptions {
  /**
   * Where the API lives, e.g. `"http://api.test"` or `"https://example.com/compute"` (no
   * trailing slash). Default `"*"`: any origin, so relative URLs in a page are matched too.
   */
  baseUrl?: string;
  /** Functions served besides the conformance set (echo, square, isEven, sum, tokenize, fail, sleep, diningPhilosophers). */
  functions?: readonly FunctionDefinition[];
  /** Serve the conformance set. Default true. */
  conformanceFunctions?: boolean;
  /** Time a job waits before it starts and before each chunk, so progress is observable. Default 0. */
  delayMs?: number;
  /** Seed of job ids: the same seed gives the same ids in the same order. Default 0. */
  seed?: number | string;
  /** The pretend worker count (default `concurrency`, basis of the default `chunkSize`). Default 4. */
  workers?: number;
  /** SSE heartbeat interval of streams that do not ask for one with `?heartbeatMs=`. Default 15,000 (the reference server's). */
  heartbeatMs?: number;
  /** Cap of `Prefer: wait=N`. Default 60. */
  maxWaitSeconds?: number;
  /** `timeoutMs` of jobs that do not set one. Default 300,000. */
  defaultJobTimeoutMs?: number;
  /** Bound of a sync call of a non-inline function without its own `timeoutMs`. Default 60,000. */
  callTimeoutMs?: number;
  /** Request limits; defaults are the protocol's. */
  limits?: Partial<MockLimits>;
  /** Clock of job timestamps. Default `Date.now`. */
  now?: () => number;
  /**
   * Bearer tokens, as a server started with `POLYBRIDGE_AUTH_TOKENS` has them. Given any, every
   * request but the `open` ones needs `Authorization: Bearer <one of them>` (else `401
   * unauthorized` with `WWW-Authenticate: Bearer realm="polybridge"`), and each token is a tenant:
   * other tokens get `404 job_not_found` for its jobs, lists show only its own jobs, and its
   * `Idempotency-Key`s are its own. Default none: auth off, one shared tenant.
   */
  tokens?: readonly string[];
  /** With `tokens`: what answers without a token, `"health"` and/or `"catalogue"`. Default `["health"]`; `[]` opens nothing. */
  open?: readonly MockOpenGroup[];
}

/** What {@link createHandlers} returns. */
export interface PolybridgeMock {
  /** msw handlers: one per operation of the contract, then one answering 404/405 under the API's paths. */
  handlers: HttpHandler[];
  /** Per-test overrides, checked against the contract. */
  mock: MockControls;
  /** Forgets jobs, idempotency keys and overrides, and restarts the id sequence of the seed. */
  reset(): void;
}

const jsonAnswer = (status: number, contentType: string, body: unknown, headers: Record<string, string> = {}): Response =>
  new HttpResponse(JSON.stringify(body), { status, headers: { ...headers, "content-type": contentType } });

function problemAnswer(operation: OperationId | undefined, error: MockProblemError, headers: Record<string, string> = {}): Response {
  const problem = error.toProblem();
  if (operation) checkResponse(operation, problem.status, "application/problem+json", problem);
  const retry: Record<string, string> = problem.retryAfterSeconds === undefined ? {} : { "retry-after": String(problem.retryAfterSeconds) };
  return jsonAnswer(problem.status, "application/problem+json", problem, { ...headers, ...retry });
}

function overrideAnswer(answer: MockAnswer): Response {
  if (answer.type === "network-error") return HttpResponse.error();
  return jsonAnswer(answer.status, answer.contentType, answer.body, answer.headers);
}

/**
 * msw 2 handlers that implement the whole polybridge protocol in memory — catalogue, sync
 * calls, jobs with progress on timers, results, cancel, `Prefer`, idempotency keys, paging, SSE
 * with `Last-Event-ID` and heartbeats, and the same problem+json errors — running the same
 * function definitions as the reference server. Routes, parameters and bodies come from the
 * generated operation table and zod schemas, and every answer is checked against them.
 *
 * @example
 * import { setupServer } from "msw/node";
 * import { createHandlers } from "@polybridge/sdk/msw";
 *
 * const { handlers, mock, reset } = createHandlers({ baseUrl: "http://api.test", delayMs: 20, seed: 1 });
 * const server = setupServer(...handlers);
 * server.listen();
 * mock.error("submitJob", 503, { retryAfter: 1, once: true }); // the next submission is refused
 * afterEach(reset);
 *
 * // A server with tokens: 401 without one, and each token sees only its own jobs.
 * const secured = createHandlers({ baseUrl: "http://api.test", tokens: ["t1", "t2"], open: ["health"] });
 */
export function createHandlers(options: CreateHandlersOptions = {}): PolybridgeMock {
  const baseUrl = (options.baseUrl ?? "*").replace(/\/+$/, "");
  const definitions = [...(options.conformanceFunctions === false ? [] : conformanceFunctions), ...(options.functions ?? [])];
  const registry = new FunctionRegistry(definitions);
  const limits: MockLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const workers = options.workers ?? 4;
  const seed = options.seed ?? 0;
  const overrides = new MockOverrides();
  const authenticate = mockAuth(options.tokens, options.open);
  const engine = new MockJobEngine({
    registry,
    random: seededRandom(seed),
    limits,
    delayMs: options.delayMs ?? 0,
    workers,
    defaultTimeoutMs: options.defaultJobTimeoutMs ?? defaultLimits.jobTimeoutMs,
    now: options.now ?? Date.now,
  });
  const resolvers = operationResolvers({
    engine,
    registry,
    overrides,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    maxWaitSeconds: options.maxWaitSeconds ?? defaultLimits.maxWaitSeconds,
    callTimeoutMs: options.callTimeoutMs ?? defaultLimits.callTimeoutMs,
    workers,
    startedAt: performance.now(),
  });

  /** The path of `url` inside the API, or undefined when the URL is not the API's. */
  const apiPath = (url: URL): string | undefined => {
    if (baseUrl === "*") return url.pathname;
    const base = new URL(baseUrl);
    if (url.origin !== base.origin) return undefined;
    const prefix = base.pathname.replace(/\/+$/, "");
    if (prefix && url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return undefined;
    return url.pathname.slice(prefix.length) || "/";
  };
  // HEAD is GET without a body (docs/PROTOCOL.md): routed as GET, answered by a `head` handler below.
  const route = (request: Request): RouteMatch => {
    const pathname = apiPath(new URL(request.url));
    return pathname === undefined ? { kind: "none" } : matchOperation(request.method === "HEAD" ? "GET" : request.method, pathname);
  };

  const answer = async (operation: OperationId, rawParams: Record<string, string>, request: Request): Promise<Response> => {
    // Before anything else, the body included: a 401 wins over 400, 413 and 415 (and over overrides).
    const caller = authenticate(request, operation);
    if (!caller.ok) return problemAnswer(operation, caller.error, caller.headers);
    const wait = overrides.takeDelay(operation);
    if (wait > 0) await delay(wait);
    const override = overrides.takeAnswer(operation);
    if (override) return overrideAnswer(override);
    try {
      const params = parseParameters(operation, rawParams, new URL(request.url), request.headers);
      const body = operations[operation].body ? await readJsonBody(request, limits) : undefined;
      const serverUrl = baseUrl === "*" ? new URL(request.url).origin : baseUrl.replace(/\/+$/, "");
      const resolved: ResolvedAnswer = await resolvers[operation]({ ...params, body: validateBody(operation, body), signal: request.signal, owner: caller.owner, serverUrl });
      if ("stream" in resolved) {
        checkResponse(operation, resolved.status, resolved.headers["content-type"] ?? "", undefined);
        return new HttpResponse(resolved.stream, { status: resolved.status, headers: resolved.headers });
      }
      checkResponse(operation, resolved.status, "application/json", resolved.body);
      return jsonAnswer(resolved.status, "application/json", resolved.body, resolved.headers);
    } catch (error) {
      if (error instanceof MockProblemError) return problemAnswer(operation, error);
      throw error;
    }
  };

  const handlers: HttpHandler[] = (Object.keys(operations) as OperationId[]).map((operation) =>
    http[operations[operation].method.toLowerCase() as "get" | "post" | "delete"](
      ({ request }) => {
        const found = route(request);
        return found.kind === "operation" && found.operation === operation;
      },
      ({ request }) => {
        const found = route(request);
        return answer(operation, found.kind === "operation" ? found.rawParams : {}, request);
      },
    ),
  );
  // HEAD of every GET operation: GET's status and headers, no body. An event stream is cancelled
  // at once (it would never end), so HEAD of a running job's events answers without waiting.
  for (const operation of Object.keys(operations) as OperationId[]) {
    if (operations[operation].method !== "GET") continue;
    handlers.push(
      http.head(
        ({ request }) => {
          const found = route(request);
          return found.kind === "operation" && found.operation === operation;
        },
        async ({ request }) => {
          const found = route(request);
          const response = await answer(operation, found.kind === "operation" ? found.rawParams : {}, request);
          await response.body?.cancel();
          return new HttpResponse(null, { status: response.status, headers: response.headers });
        },
      ),
    );
  }
  // Last: unknown routes and wrong methods, as the reference server answers them. With a base
  // URL the mock owns everything under it; with "*" only the API's paths, not a page's assets.
  handlers.push(
    http.all(
      ({ request }) => {
        const pathname = apiPath(new URL(request.url));
        const owned = pathname !== undefined && (baseUrl !== "*" || isApiPath(pathname));
        return owned && route(request).kind !== "operation";
      },
      ({ request }) => {
        const found = route(request);
        const { pathname } = new URL(request.url);
        // Unknown routes need a token too, so they do not reveal what exists.
        const caller = authenticate(request, undefined);
        if (!caller.ok) return problemAnswer(undefined, caller.error, caller.headers);
        if (found.kind === "wrong-method") {
          const error = new MockProblemError("method_not_allowed", `${request.method} is not allowed on ${pathname}; use ${found.allowed.join(" or ")}.`);
          return problemAnswer(undefined, error, { allow: found.allowed.join(", ") });
        }
        return problemAnswer(undefined, new MockProblemError("not_found", `No route ${request.method} ${pathname}.`));
      },
    ),
  );

  return {
    handlers,
    mock: overrides,
    reset: () => {
      engine.reset(seededRandom(seed));
      overrides.reset();
    },
  };
}
