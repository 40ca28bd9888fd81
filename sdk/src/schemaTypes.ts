import type { components } from "./gen/types.js";

type Schemas = components["schemas"];

/** A job as the server reports it (status, progress, effective options, error, links). */
export type Job = Schemas["Job"];
/** The body of `POST /v1/jobs`: a map, filter, fold or mapreduce request. */
export type JobRequest = Schemas["JobRequest"];
/** A finished job's result, discriminated by `kind`. */
export type JobResult = Schemas["JobResult"];
/** `accepted | running | successful | failed | dismissed`. */
export type JobStatus = Schemas["JobStatus"];
/** Finished and total chunks and items of a job. */
export type Progress = Schemas["Progress"];
/** One page of `GET /v1/jobs`. */
export type JobList = Schemas["JobList"];
/** RFC 9457 problem details with the protocol's `code`. */
export type Problem = Schemas["Problem"];
/** The closed list of codes the server may send. */
export type ServerErrorCode = Schemas["ErrorCode"];
/** One function of the catalogue. */
export type FunctionInfo = Schemas["FunctionInfo"];
/** `unary | reducer | emitter`. */
export type FunctionKind = Schemas["FunctionKind"];
/** `GET /v1/health`. */
export type Health = Schemas["Health"];
/** One Server-Sent Event of a job, `{ event, data }`, plus its `id` (absent when synthesised by polling). */
export type JobEvent = Schemas["JobEvent"] & { id?: string };
