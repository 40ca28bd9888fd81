// Sends requests to a running server of any stack and checks each answer against the contract
// (spec/openapi.yaml through @polybridge/spec's response validator).
import { createResponseValidator } from "@polybridge/spec";
import { expect } from "vitest";

/** One request: method, path, optional JSON body, optional extra headers. */
export type Exchange = readonly [method: string, path: string, json?: unknown, headers?: Record<string, string>];

/**
 * Sends each exchange in order and expects its status, content type and body to be ones the
 * contract allows for that operation; a failure names the request and shows the body.
 *
 * @example
 * await expectContractAnswers(url, [["GET", "/v1/health"], ["POST", "/v1/functions/square/call", { input: 12 }]]);
 */
export async function expectContractAnswers(url: string, exchanges: readonly Exchange[]): Promise<void> {
  const check = createResponseValidator();
  for (const [method, path, json, headers] of exchanges) {
    const res = await fetch(url + path, {
      method,
      headers: { ...(json === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const contentType = res.headers.get("content-type");
    const body: unknown = await res.json();
    const verdict = check({ method, path, status: res.status, contentType, body });
    expect(verdict.errors, `${method} ${path} → ${res.status}: ${JSON.stringify(body)}`).toEqual([]);
  }
}
