// The generated types live once, in @polybridge/core (browser-safe); the spec package re-exports them.
import type { components, OperationTypes, paths } from "@polybridge/core";

/** Generated TypeScript types of every schema in spec/openapi.yaml. */
export type Schemas = components["schemas"];
export type { components, paths, OperationTypes };

export type ErrorCode = Schemas["ErrorCode"];
export type Problem = Schemas["Problem"];
export type Job = Schemas["Job"];
export type JobStatus = Schemas["JobStatus"];
export type JobKind = Schemas["JobKind"];
export type JobRequest = Schemas["JobRequest"];
export type JobResult = Schemas["JobResult"];
export type JobOptions = Schemas["JobOptions"];
export type EffectiveJobOptions = Schemas["EffectiveJobOptions"];
export type Progress = Schemas["Progress"];
export type Health = Schemas["Health"];
