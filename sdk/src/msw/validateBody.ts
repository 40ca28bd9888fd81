import type { z } from "zod";
import { operations, type OperationId } from "../gen/operations.js";
import * as schemas from "../gen/schemas.js";
import { MockProblemError } from "./mockProblem.js";
import { zodFieldErrors } from "./zodFieldErrors.js";

const byName = schemas as unknown as Record<string, z.ZodType | undefined>;

/**
 * Validates a request body against the generated zod schema the operation table names for it
 * (`JobRequest`, `CallRequest`); a mismatch is `400 validation_failed` listing each field as a
 * JSON Pointer into the body (`/options/chunkSize`).
 *
 * @example
 * validateBody("submitJob", { kind: "map" }); // throws validation_failed: /function is required, …
 */
export function validateBody(operation: OperationId, body: unknown): unknown {
  const declared = operations[operation].body;
  if (!declared) return undefined;
  const schema = byName[declared.schema];
  if (!schema) throw new Error(`generated schemas have no ${declared.schema}`);
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const errors = zodFieldErrors(parsed.error).map((e) => (e.path === "" ? { ...e, path: "/" } : e));
  const count = errors.length === 1 ? "1 field is invalid" : `${errors.length} fields are invalid`;
  throw new MockProblemError("validation_failed", `${count}: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`, { errors });
}
