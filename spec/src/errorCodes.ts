import { loadSpec, type JsonObject } from "./loadSpec.js";
import type { ErrorCode } from "./schemas.js";

/**
 * The closed list of error codes, read from `components.schemas.ErrorCode.enum`.
 *
 * @example
 * errorCodes().includes("queue_full"); // true
 */
export function errorCodes(): readonly ErrorCode[] {
  const schemas = (loadSpec().components as JsonObject).schemas as JsonObject;
  return (schemas.ErrorCode as { enum: ErrorCode[] }).enum;
}
