// The API both entry points share; `index.ts` (Node) and `browser.ts` add their `createClient`.
export type { Client, ClientOptions, FunctionCallOptions } from "./buildClient.js";
export type { CallOptions, ValidateMode } from "./ClientCore.js";
export type { JobsApi, RunOptions, SubmitOptions } from "./createJobsApi.js";
export type {
  AcceptsRange,
  EmittedPair,
  EmitterKey,
  EmitterValue,
  IsTypedCatalog,
  JobEventOf,
  JobInputOf,
  JobRequestOf,
  JobResultOf,
  ReducersFor,
  ResultOf,
  TypedFilterResult,
  TypedFoldResult,
  TypedJobRequest,
  TypedJobResult,
  TypedMapReduceResult,
  TypedMapResult,
} from "./jobTypes.js";
export { fetchTransport } from "./fetchTransport.js";
export { isTerminal, type JobEventsOptions } from "./followJobEvents.js";
export type { AnyFunctions, CallInput, CallOutput, FunctionCatalog, FunctionSignature, FunctionsOfKind } from "./functionTypes.js";
export { JobHandle, type FollowOptions } from "./JobHandle.js";
export type { ArgsOptional, OperationArgs, OperationResult } from "./operationTypes.js";
export { operations, type OperationId } from "./gen/operations.js";
export { PolybridgeError, type ClientErrorCode, type ErrorCode, type PolybridgeErrorInit } from "./PolybridgeError.js";
export type { RetryOptions } from "./retryPolicy.js";
export type {
  FunctionInfo,
  FunctionKind,
  Health,
  Job,
  JobEvent,
  JobList,
  JobRequest,
  JobResult,
  JobStatus,
  Problem,
  Progress,
  ServerErrorCode,
} from "./schemaTypes.js";
export type { Transport, TransportRequest, TransportResponse } from "./Transport.js";
