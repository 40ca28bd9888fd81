export * from "./publicApi.js";
export { createClient } from "./createClient.js";
export { undiciTransport, type UndiciTransportOptions } from "./undiciTransport.js";
