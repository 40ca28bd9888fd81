import type { OperationId } from "../gen/operations.js";
import { MockContractError } from "./checkResponse.js";
import { MockProblemError } from "./mockProblem.js";

/** Operations that can be left open when tokens are required (`health`: GET /v1/health; `catalogue`: the function catalogue). */
export type MockOpenGroup = "health" | "catalogue";

const GROUPS: Record<MockOpenGroup, readonly OperationId[]> = {
  health: ["getHealth"],
  catalogue: ["listFunctions", "getFunction"],
};

/** Always open, whatever `open` says: the contract itself (as on every stack). */
const ALWAYS_OPEN: readonly OperationId[] = ["getOpenApiJson", "getOpenApiYaml"];

/** Who a request is: the token it proved (its tenant), or why it was refused. */
export type MockCaller =
  | { ok: true; owner: string | undefined }
  | { ok: false; error: MockProblemError; headers: Record<string, string> };

const CHALLENGE = 'Bearer realm="polybridge"';

/**
 * The protocol's bearer auth, as every stack implements it: with `tokens`, each request but the
 * `open` groups, the contract (`GET /v1/openapi.json` / `.yaml`) and CORS preflights must carry `Authorization: Bearer <token>` (scheme
 * case-insensitive) equal to one of them; otherwise `401 unauthorized` with `WWW-Authenticate:
 * Bearer realm="polybridge"` (plus `error="invalid_token"` when credentials were sent). The token
 * is the caller's tenant: its jobs, list and idempotency keys. Without tokens everyone is one
 * tenant (`owner` undefined).
 *
 * @example
 * const authenticate = mockAuth(["t1", "t2"], ["health"]);
 * authenticate(request, "getJob"); // { ok: true, owner: "t1" } or { ok: false, error, headers }
 */
export function mockAuth(tokens: readonly string[] = [], open: readonly MockOpenGroup[] = ["health"]): (request: Request, operation: OperationId | undefined) => MockCaller {
  const valid = tokens.map((t) => t.trim()).filter((t) => t !== "");
  for (const group of open) if (!(group in GROUPS)) throw new MockContractError(`createHandlers: unknown open group '${String(group)}' (use ${Object.keys(GROUPS).join(", ")})`);
  const openOperations = new Set<OperationId>([...ALWAYS_OPEN, ...open.flatMap((g) => GROUPS[g])]);
  const encoder = new TextEncoder();
  const known = valid.map((t) => ({ token: t, bytes: encoder.encode(t) }));
  return (request, operation) => {
    if (known.length === 0) return { ok: true, owner: undefined };
    if (request.method === "OPTIONS" || (operation !== undefined && openOperations.has(operation))) return { ok: true, owner: undefined };
    const credentials = request.headers.get("authorization");
    const presented = /^\s*bearer\s+(\S+)\s*$/i.exec(credentials ?? "")?.[1];
    const match = presented === undefined ? undefined : known.find((k) => sameBytes(k.bytes, encoder.encode(presented)));
    if (match) return { ok: true, owner: match.token };
    const sent = credentials !== null;
    return {
      ok: false,
      error: new MockProblemError("unauthorized", sent ? "The bearer token is not valid." : "This server needs Authorization: Bearer <token>."),
      headers: { "www-authenticate": sent ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE },
    };
  };
}

// Compares without stopping at the first difference, as the servers do (constant time per length).
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i % Math.max(b.length, 1)] ?? 0);
  return diff === 0;
}
