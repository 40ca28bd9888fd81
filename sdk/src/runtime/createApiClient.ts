import { nodeTransport } from "../nodeTransport.js";
import { buildApiClient, type ApiClient, type ApiClientOptions } from "./ApiClient.js";

/**
 * Creates a client for the functions `polybridge generate --client` writes. In Node requests go
 * through an undici keep-alive pool (`close()` releases it), or through `globalThis.fetch` while
 * something (msw's `setupServer`) has replaced it; the browser entry uses `fetch`.
 *
 * @example
 * import { createApiClient } from "@polybridge/sdk/runtime";
 * import { findPetById, securitySchemes } from "./gen/client.js";
 *
 * const api = createApiClient({ baseUrl: "http://127.0.0.1:3000", securitySchemes, auth: { api_key: "secret" }, timeoutMs: 5_000 });
 * const pet = await findPetById(api, { path: { id: 1 } });
 * await api.close();
 */
export function createApiClient<S extends string = string>(options: ApiClientOptions<S>): ApiClient {
  return buildApiClient(options, (baseUrl) => nodeTransport(baseUrl));
}
