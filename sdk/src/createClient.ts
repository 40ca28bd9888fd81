import { buildClient, type Client, type ClientOptions } from "./buildClient.js";
import type { AnyFunctions, FunctionCatalog } from "./functionTypes.js";
import { nodeTransport } from "./nodeTransport.js";

/**
 * Creates a client for a polybridge server. With a `Functions` map (from `polybridge generate
 * functions`) calls and jobs are checked against the catalogue; without one, anything goes and
 * results are `unknown`. In Node requests go through an undici keep-alive
 * pool (`close()` releases it) — or through `globalThis.fetch` while something (msw's
 * `setupServer`, nock) has replaced it since the SDK was loaded; pass `fetch` or `transport` to
 * choose otherwise.
 *
 * @example
 * import { createClient } from "@polybridge/sdk";
 * import type { Functions } from "./gen/functions.js"; // from `polybridge generate functions`
 *
 * const client = createClient<Functions>({ baseUrl: "http://127.0.0.1:8080", timeoutMs: 5_000 });
 * // A server started with POLYBRIDGE_AUTH_TOKENS: pass `token` (a string, or a function called per request).
 * const secured = createClient({ baseUrl: "https://compute.example", token: () => readToken() });
 * const nine = await client.call("square", 3); // number
 * // Jobs are typed by the catalogue: a unary function for map, items of its input, items: number[].
 * const { items } = await client.jobs.run(
 *   { kind: "map", function: "square", input: { items: [1, 2, 3] } },
 *   { onProgress: (p) => console.log(`${p.completedItems}/${p.totalItems}`) },
 * );
 * const { value } = await client.jobs.run({ kind: "fold", function: "sum", input: { range: { start: 1, end: 101 } } }); // number
 * await client.close();
 */
export function createClient<F extends FunctionCatalog = AnyFunctions>(options: ClientOptions): Client<F> {
  return buildClient<F>(options, (baseUrl) => nodeTransport(baseUrl));
}
