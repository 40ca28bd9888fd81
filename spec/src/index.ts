export { loadSpec, specPath, type JsonObject } from "./loadSpec.js";
export { deref, resolvePointer } from "./deref.js";
export { operations, matchOperation, matchRoute, responseFor, type OperationSchemas } from "./operations.js";
export { createResponseValidator, createAjv, type ResponseCheck, type ResponseVerdict } from "./createResponseValidator.js";
export { errorCodes, problemFacts, type ProblemFacts } from "./errorCodes.js";
export type {
  Schemas, components, paths, OperationTypes, ErrorCode, Problem, Job, JobStatus, JobKind, JobRequest,
  JobResult, JobOptions, EffectiveJobOptions, Progress, Health,
} from "./schemas.js";
