export { loadSpec, specPath, type JsonObject } from "./loadSpec.js";
export { deref, resolvePointer } from "./deref.js";
export { operations, matchOperation, responseFor, type OperationSchemas } from "./operations.js";
export { createResponseValidator, createAjv, type ResponseCheck, type ResponseVerdict } from "./createResponseValidator.js";
