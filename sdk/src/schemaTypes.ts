import type { components } from "./gen/types.js";

type Schemas = components["schemas"];

// Generated from the same spec into @polybridge/core (which the mocks share): one definition.
export type { Job, JobRequest, JobResult, JobStatus, Problem, ErrorCode as ServerErrorCode } from "@polybridge/core";

/** Finished and total chunks and items of a job. */
export type Progress = Schemas["Progress"];
/** One page of `GET /v1/jobs`. */
export type JobList = Schemas["JobList"];
/** One function of the catalogue. */
export type FunctionInfo = Schemas["FunctionInfo"];
/** `unary | reducer | emitter`. */
export type FunctionKind = Schemas["FunctionKind"];
/** `GET /v1/health`. */
export type Health = Schemas["Health"];
/** One Server-Sent Event of a job, `{ event, data }`, plus its `id` (absent when synthesised by polling). */
export type JobEvent = Schemas["JobEvent"] & { id?: string };
