import { fetchTransport } from "../fetchTransport.js";
import { buildApiClient, type ApiClient, type ApiClientOptions } from "./ApiClient.js";

/**
 * The browser entry's `createApiClient`: requests go through the Fetch API; no Node built-ins.
 *
 * @example
 * import { createApiClient } from "@polybridge/sdk/runtime"; // the "browser" condition picks this one
 * const api = createApiClient({ baseUrl: location.origin });
 */
export function createFetchApiClient<S extends string = string>(options: ApiClientOptions<S>): ApiClient {
  return buildApiClient(options, () => fetchTransport((input, init) => globalThis.fetch(input, init)));
}
