import { buildClient, type Client, type ClientOptions } from "./buildClient.js";
import { fetchTransport } from "./fetchTransport.js";
import type { AnyFunctions, FunctionCatalog } from "./functionTypes.js";

/**
 * Creates a client that sends through the Fetch API — the browser entry's `createClient`.
 * Imports no Node built-ins and no undici.
 *
 * @example
 * import { createClient } from "@polybridge/sdk/browser";
 * const client = createClient({ baseUrl: `${location.origin}/compute`, token: () => sessionStorage.getItem("token") ?? "" });
 * const health = await client.getHealth();
 */
export function createFetchClient<F extends FunctionCatalog = AnyFunctions>(options: ClientOptions): Client<F> {
  return buildClient<F>(options, () => fetchTransport((input, init) => globalThis.fetch(input, init)));
}
