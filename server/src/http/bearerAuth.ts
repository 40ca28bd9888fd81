import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ProblemError } from "../ProblemError.js";
import { sendProblem } from "./errorHandler.js";

/** Route groups that can be left open when tokens are required. */
export type OpenGroup = "health" | "catalogue";

/** Who may call the server. No tokens = auth off (one shared tenant). */
export interface AuthSettings {
  tokens: readonly string[];
  /** Reachable without a token. Default `["health"]`. */
  open?: readonly OpenGroup[];
}

const OPEN_GROUPS: readonly OpenGroup[] = ["health", "catalogue"];

/** Tokens of a tokens file: one per line, blank lines and `#` comments skipped. */
export function readTokensFile(path: string): string[] {
  return readFileSync(path, "utf8")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** Parses `health,catalogue` / `none` (the `POLYBRIDGE_AUTH_OPEN` and `--auth-open` syntax). */
export function parseOpenGroups(text: string): OpenGroup[] {
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === "none") return [];
  const bad = names.filter((n) => !OPEN_GROUPS.includes(n as OpenGroup));
  if (bad.length > 0) throw new Error(`unknown open group(s) ${bad.join(", ")}: use ${OPEN_GROUPS.join(", ")} or none`);
  return names as OpenGroup[];
}

/**
 * Auth settings from the environment every polybridge stack reads: `POLYBRIDGE_AUTH_TOKENS`
 * (comma-separated), `POLYBRIDGE_AUTH_TOKENS_FILE` (one per line) and `POLYBRIDGE_AUTH_OPEN`.
 *
 * @example
 * readAuthEnv({ POLYBRIDGE_AUTH_TOKENS: "t1,t2" }); // { tokens: ["t1", "t2"], open: ["health"] }
 */
export function readAuthEnv(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const tokens = (env.POLYBRIDGE_AUTH_TOKENS ?? "").split(",").map((t) => t.trim()).filter(Boolean);
  if (env.POLYBRIDGE_AUTH_TOKENS_FILE) tokens.push(...readTokensFile(env.POLYBRIDGE_AUTH_TOKENS_FILE));
  const open = env.POLYBRIDGE_AUTH_OPEN?.trim();
  return { tokens, open: open ? parseOpenGroups(open) : ["health"] };
}

const digest = (token: string): Buffer => createHash("sha256").update(token).digest();

/** The tenant of a request whose token was accepted ("" when auth is off). */
const tenants = new WeakMap<FastifyRequest, string>();

/** The tenant (a digest of the caller's token; "" without auth) that owns what this request makes or reads. */
export function tenantOf(request: FastifyRequest): string {
  return tenants.get(request) ?? "";
}

/**
 * Always open, whatever the settings: the contract (`/v1/openapi.json`, `/v1/openapi.yaml`) and the
 * API reference at `/docs` say nothing about a tenant's data, and a client needs them to learn how
 * to authenticate.
 */
const ALWAYS_OPEN = /^\/(v1\/openapi\.(json|yaml)|docs(\/.*)?)$/;

function isOpen(request: FastifyRequest, open: readonly OpenGroup[]): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const path = request.url.split("?")[0] ?? "";
  if (ALWAYS_OPEN.test(path)) return true;
  if (open.includes("health") && path === "/v1/health") return true;
  return open.includes("catalogue") && (path === "/v1/functions" || /^\/v1\/functions\/[^/]+$/.test(path));
}

/**
 * A fastify `onRequest` hook for optional bearer tokens: with tokens configured, every request but
 * the open groups and CORS preflights needs `Authorization: Bearer <token>` (compared in constant
 * time), else `401 unauthorized` with `WWW-Authenticate`. Runs before the body is read, so a 401
 * wins over 400/413/415. Returns `undefined` when there are no tokens.
 *
 * @example
 * const hook = bearerAuth({ tokens: ["s3cret"] });
 * if (hook) app.addHook("onRequest", hook);
 */
export function bearerAuth(settings: AuthSettings): ((request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) | undefined {
  if (settings.tokens.length === 0) return undefined;
  const known = [...new Set(settings.tokens)].map(digest);
  const open = settings.open ?? ["health"];
  return async (request, reply) => {
    if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) return undefined;
    // A blank header is no credentials (challenge without `invalid_token`), as in every stack.
    const header = request.headers.authorization?.trim() || undefined;
    const match = typeof header === "string" ? /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
    if (match?.[1] !== undefined) {
      const given = digest(match[1]);
      // Every known token is compared, so timing tells nothing about which one (or whether any) matched.
      let found: Buffer | undefined;
      for (const candidate of known) if (timingSafeEqual(candidate, given)) found = candidate;
      if (found) {
        tenants.set(request, found.toString("base64url"));
        return undefined;
      }
    }
    if (isOpen(request, open)) return undefined;
    const challenge = header === undefined ? 'Bearer realm="polybridge"' : 'Bearer realm="polybridge", error="invalid_token"';
    void reply.header("www-authenticate", challenge);
    const detail = header === undefined ? "Send Authorization: Bearer <token>." : "The bearer token is not valid.";
    return sendProblem(reply, new ProblemError("unauthorized", detail));
  };
}
