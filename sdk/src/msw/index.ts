export { createHandlers, type CreateHandlersOptions, type PolybridgeMock } from "./createHandlers.js";
export type {
  MockAnswer,
  MockControls,
  MockErrorOptions,
  MockJobError,
  MockJobOutcomeInput,
  MockReplyOptions,
  OverrideOptions,
} from "./MockControls.js";
export { MockContractError } from "./checkResponse.js";
export { allowedErrorStatuses, type ErrorCodeFor, type ErrorStatus, type HttpErrorCode } from "./allowedErrorStatuses.js";
export type { MockLimits } from "./readJsonBody.js";
export type { MockOpenGroup } from "./mockAuth.js";
