import { randomUUID } from "node:crypto";
import type { Auth, Step } from "./caseSchema.js";
import type { ConformanceCase } from "./loadCases.js";

/** The bearer tokens of a run: `token` and `otherToken` are valid (two tenants), `wrong` is not. */
export interface Credentials {
  token?: string | undefined;
  otherToken?: string | undefined;
  /** A token no server was given, for `auth: wrong`. */
  wrong: string;
}

/**
 * The credentials of a run. Without `token` every request goes out without `Authorization`, as
 * before; with it, every request carries `Authorization: Bearer <token>` unless its step says otherwise.
 *
 * @example
 * const creds = runCredentials({ token: "t1", otherToken: "t2" });
 * bearerToken("otherToken", creds); // "t2"
 */
export function runCredentials(options: { token?: string | undefined; otherToken?: string | undefined }): Credentials {
  if (options.otherToken !== undefined && options.token === undefined) throw new Error("otherToken needs token (--other-token needs --token)");
  if (options.token !== undefined && options.token === options.otherToken) throw new Error("token and otherToken must differ (two tenants)");
  for (const t of [options.token, options.otherToken]) {
    if (t !== undefined && !/^[\x21-\x7e]+$/.test(t)) throw new Error("a token must be printable ASCII without spaces");
  }
  return { token: options.token, otherToken: options.otherToken, wrong: `conformance-wrong-${randomUUID()}` };
}

/** The bearer token a step sends, or undefined for none (`auth: none`, or a run without a token). */
export function bearerToken(auth: Auth | undefined, creds: Credentials | undefined): string | undefined {
  switch (auth ?? "token") {
    case "token":
      return creds?.token;
    case "otherToken":
      return creds?.otherToken;
    case "wrong":
      return creds?.wrong;
    case "none":
      return undefined;
  }
}

/**
 * Why a case cannot run with these credentials, or undefined when it can. The rule: a case with a
 * step (clean-up steps included) that says `auth` checks authentication, which means nothing
 * against a server without tokens, so it needs a token; `auth: otherToken` also needs an other token.
 *
 * @example
 * authSkipReason(caseById("auth.no-token"), runCredentials({})); // "needs a token (--token): …"
 */
export function authSkipReason(c: ConformanceCase, creds: Credentials): string | undefined {
  const auths = [...c.steps, ...c.finally].map(stepAuth).filter((a): a is Auth => a !== undefined);
  if (auths.length === 0) return undefined;
  if (creds.token === undefined) return "needs a token (--token): an authentication case, run against a server started with tokens";
  if (auths.includes("otherToken") && creds.otherToken === undefined) return "needs an other token (--other-token): a case about separate tenants";
  return undefined;
}

function stepAuth(step: Step): Auth | undefined {
  if ("request" in step) return step.request.auth;
  if ("sse" in step) return step.sse.auth;
  return undefined;
}

/** A trace's copy of request headers, with the tokens replaced by their role (traces end up in reports and logs). */
export function redactHeaders(headers: Record<string, string>, creds: Credentials | undefined): Record<string, string> {
  const value = headers.authorization;
  if (value === undefined || !creds) return headers;
  const roles = new Map<string | undefined, string>([[creds.token, "<token>"], [creds.otherToken, "<otherToken>"], [creds.wrong, "<wrong token>"]]);
  const shown = value.replace(/^(\S+\s+)(.*)$/, (whole, scheme: string, token: string) => {
    const role = roles.get(token);
    return role === undefined ? whole : scheme + role;
  });
  return { ...headers, authorization: shown };
}
