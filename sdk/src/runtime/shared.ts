// What both runtime entries (Node and browser) export; each adds its `createApiClient`.
export { ApiError, apiErrors, isApiError, type ApiErrorCode, type ErrorFactory, type ErrorResponse, type RetryableError } from "./ApiError.js";
export { buildApiClient, type ApiClient, type ApiClientOptions, type AuthRequest, type Credential, type ValidationOptions } from "./ApiClient.js";
export { callOperation, sendOperation, buildRequest, type Answer, type CallOptions } from "./sendOperation.js";
export { checkRequestBody, checkResponse, checkValue, type SchemaLike, type SchemaTable } from "./checkAnswer.js";
export { Deadline, sleep } from "./Deadline.js";
export type { OperationSpec, RawArgs, SecurityScheme } from "./OperationSpec.js";
export type { ArgsOptional, ErrorResponses, OperationArgs, SuccessBody } from "./operationTypes.js";
export type { RetryOptions } from "../retryPolicy.js";
export type { Transport, TransportRequest, TransportResponse } from "../Transport.js";
