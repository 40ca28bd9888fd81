// @polybridge/core: what the reference server and the msw mock handlers share, browser-safe
// (its tsconfig has no Node types, so a Node built-in here fails the build).
export * from "./functions/index.js";
export * from "./engine/index.js";
export type { components, paths, operations as OperationTypes } from "./gen/openapi.js";
export type { Job, JobStatus, JobKind, JobResult, JobRequest, EffectiveJobOptions, ErrorCode, Problem } from "./protocol.js";
export { defaultLimits } from "./limits.js";
export { ProblemError, problem, statusOf, type ProblemExtras } from "./problem.js";
export { problemTable } from "./gen/problems.js";
export { parsePrefer, type JobPreference } from "./parsePrefer.js";
export { bodyFingerprint } from "./bodyFingerprint.js";
export { routeMatcher, type Route, type RouteMatch } from "./routeMatcher.js";
export { ownServers, specWithServer, yamlWithServer } from "./servedSpec.js";
