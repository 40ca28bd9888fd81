export * from "./publicApi.js";
export { createFetchClient as createClient } from "./createFetchClient.js";
