import type { ApiClient, Credential } from "./ApiClient.js";
import type { OperationSpec, SecurityScheme } from "./OperationSpec.js";

/**
 * Adds the credentials an operation needs: the first of its security alternatives whose schemes
 * all have a credential in `client.auth` (an empty alternative — "anonymous is fine" — is used
 * only when no other one can be met). Then the client's `authorize` hook, if any. Synchronous
 * unless a credential or the hook is a function, so the hot path stays await-free.
 */
export function applyAuth(client: ApiClient, op: OperationSpec, headers: Record<string, string>, query: Array<[string, string]>): void | Promise<void> {
  const chosen = op.security?.find((alt) => alt.length > 0 && alt.every((name) => client.auth[name] !== undefined && client.securitySchemes[name] !== undefined));
  const pending: Array<Promise<void>> = [];
  for (const name of chosen ?? []) {
    const scheme = client.securitySchemes[name];
    const credential = client.auth[name];
    if (!scheme || credential === undefined) continue;
    const value = resolve(credential);
    if (typeof value === "string") put(scheme, value, headers, query);
    else pending.push(value.then((v) => put(scheme, v, headers, query)));
  }
  const hook = client.authorize;
  if (pending.length === 0) return hook?.({ operation: op, headers, query });
  return Promise.all(pending).then(() => hook?.({ operation: op, headers, query }));
}

function resolve(credential: Credential): string | Promise<string> {
  if (typeof credential === "string") return credential;
  const value = credential();
  return typeof value === "string" ? value : Promise.resolve(value);
}

function put(scheme: SecurityScheme, value: string, headers: Record<string, string>, query: Array<[string, string]>): void {
  if (value === "") return;
  if (scheme.type === "apiKey") {
    if (scheme.in === "header") headers[scheme.name.toLowerCase()] = value;
    else if (scheme.in === "query") query.push([scheme.name, value]);
    else headers.cookie = `${headers.cookie ? `${headers.cookie}; ` : ""}${scheme.name}=${encodeURIComponent(value)}`;
  } else if (scheme.type === "http" && scheme.scheme.toLowerCase() === "basic") {
    headers.authorization = `Basic ${btoa(value)}`;
  } else if (scheme.type === "http" && scheme.scheme.toLowerCase() !== "bearer") {
    headers.authorization = `${scheme.scheme} ${value}`;
  } else if (scheme.type !== "mutualTLS") {
    headers.authorization = `Bearer ${value}`;
  }
}
