import type { components } from "./gen/openapi.js";

// The protocol's shapes, generated from spec/openapi.yaml into gen/ (never written by hand): the
// core needs them without the spec package's YAML loader and validator. The SDK re-exports these.
type Schemas = components["schemas"];

/** A job as the server reports it (status, progress, effective options, error, links). */
export type Job = Schemas["Job"];
/** `accepted | running | successful | failed | dismissed`. */
export type JobStatus = Schemas["JobStatus"];
/** `map | filter | fold | mapreduce`. */
export type JobKind = Schemas["JobKind"];
/** A finished job's result, discriminated by `kind`. */
export type JobResult = Schemas["JobResult"];
/** The closed list of codes the server may send. */
export type ErrorCode = Schemas["ErrorCode"];
/** RFC 9457 problem details with the protocol's `code`. */
export type Problem = Schemas["Problem"];
/** The body of `POST /v1/jobs`: a map, filter, fold or mapreduce request. */
export type JobRequest = Schemas["JobRequest"];
/** A job's options with the server's defaults filled in. */
export type EffectiveJobOptions = Schemas["EffectiveJobOptions"];
