import type { components } from "./gen/openapi.js";

// The protocol's shapes, generated from spec/openapi.yaml into gen/ (never written by hand): the
// core needs them without the spec package's YAML loader and validator.
type Schemas = components["schemas"];
export type Job = Schemas["Job"];
export type JobStatus = Schemas["JobStatus"];
export type JobKind = Schemas["JobKind"];
export type JobResult = Schemas["JobResult"];
export type ErrorCode = Schemas["ErrorCode"];
export type Problem = Schemas["Problem"];
export type JobRequest = Schemas["JobRequest"];
export type EffectiveJobOptions = Schemas["EffectiveJobOptions"];
