import type { z } from "zod";
import { operations, type OperationId } from "../gen/operations.js";
import * as schemas from "../gen/schemas.js";

/** Thrown when a mock would answer something the contract does not allow. */
export class MockContractError extends Error {
  override readonly name = "MockContractError";
}

const byName = schemas as unknown as Record<string, z.ZodType | undefined>;

/**
 * Checks one answer of `operation` against the generated operation table and zod schemas:
 * the status must be declared (exactly or by range), the content type must be one the
 * status declares, and a JSON body must match its schema. Throws {@link MockContractError}
 * with the path that broke, so a test learns at once that its override could not happen.
 *
 * @example
 * checkResponse("getJob", 200, "application/json", { id: "x" }); // throws: /status …
 */
export function checkResponse(operation: OperationId, status: number, contentType: string, body: unknown): void {
  const responses = operations[operation].responses as Record<string, Record<string, string | null>>;
  const declared = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  if (!declared) throw new MockContractError(`${operation} cannot answer ${status}: the contract declares ${Object.keys(responses).join(", ")}`);
  const mediaType = contentType.split(";")[0]?.trim() ?? "";
  if (!(mediaType in declared)) {
    throw new MockContractError(`${operation} → ${status} cannot be ${mediaType}: the contract declares ${Object.keys(declared).join(", ")}`);
  }
  const schemaName = declared[mediaType];
  if (!schemaName) return;
  const schema = byName[schemaName];
  if (!schema) throw new MockContractError(`generated schemas have no ${schemaName}`);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `/${i.path.map(String).join("/")} ${i.message}`).join("; ");
    throw new MockContractError(`${operation} → ${status}: the body is not a valid ${schemaName}: ${where}`);
  }
}
