export * from "./shared.js";
export { createFetchApiClient as createApiClient } from "./createFetchApiClient.js";
