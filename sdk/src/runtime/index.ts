export * from "./shared.js";
export { createApiClient } from "./createApiClient.js";
