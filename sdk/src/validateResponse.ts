import * as schemas from "./gen/schemas.js";
import { operations, type OperationId } from "./gen/operations.js";
import { checkResponse, checkValue } from "./runtime/checkAnswer.js";

/**
 * Checks one answer against the contract (status declared, media type declared, body matches
 * the generated zod schema) and returns a readable report of where it drifted, or undefined.
 * Loaded lazily by the client only when `validate` is not `"off"`, so zod stays out of bundles
 * that do not validate; importable directly as `@polybridge/sdk/validate`.
 *
 * @example
 * const report = validateResponse("getHealth", 200, "application/json", body);
 * if (report) console.warn(report);
 */
export function validateResponse(operationId: OperationId, status: number, contentType: string | null, body: unknown): string | undefined {
  return checkResponse(operations[operationId], operationId, schemas, status, contentType, body);
}

/** Checks one Server-Sent Event of a job (`{ event, data }`) against `JobEvent`. */
export function validateJobEvent(event: { event: string; data: unknown }): string | undefined {
  return checkValue(schemas.JobEvent, { event: event.event, data: event.data }, `job event '${event.event}' does not match JobEvent`);
}

export { schemas };
