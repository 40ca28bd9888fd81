import type { OperationId } from "../gen/operations.js";
import { parameterSchemas } from "./gen/parameters.js";
import { MockProblemError } from "./mockProblem.js";
import { zodFieldErrors, type FieldError } from "./zodFieldErrors.js";

interface ParameterSpec {
  schema: { safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: import("zod").ZodError } };
  type: string;
  required: boolean;
}

/** Query strings are text; the contract's type says how to read them (as the server's coercing validator does). */
function coerce(raw: string, type: string): unknown {
  if ((type === "integer" || type === "number") && raw.trim() !== "" && Number.isFinite(Number(raw))) return Number(raw);
  if (type === "boolean" && (raw === "true" || raw === "false")) return raw === "true";
  return raw;
}

// JSON Pointers as the protocol says (docs/PROTOCOL.md): `/<name>` for path and query parameters;
// headers, which have no pointer of their own, keep a `header:` prefix as on the reference server.
function readLocation(specs: Record<string, ParameterSpec>, values: Record<string, string | undefined>, prefix: string, errors: FieldError[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = values[name];
    if (raw === undefined) {
      if (spec.required) errors.push({ path: `${prefix}/${name}`, message: "is required" });
      continue;
    }
    const parsed = spec.schema.safeParse(coerce(raw, spec.type));
    if (parsed.success) out[name] = parsed.data;
    else errors.push(...zodFieldErrors(parsed.error, `${prefix}/${name}`));
  }
  return out;
}

/**
 * Decodes and validates the path, query and header parameters of one request against the
 * generated parameter schemas; every broken one is listed in one `400 validation_failed`
 * with `/id`, `/limit`, `header:/prefer` paths (the reference server's).
 *
 * @example
 * parseParameters("listJobs", {}, new URL("http://x/v1/jobs?limit=5"), new Headers()); // { query: { limit: 5 }, … }
 */
export function parseParameters(operation: OperationId, rawParams: Record<string, string>, url: URL, headers: Headers) {
  const specs = parameterSchemas[operation] as unknown as Record<"path" | "query" | "header", Record<string, ParameterSpec>>;
  const errors: FieldError[] = [];
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(rawParams)) {
    try {
      decoded[name] = decodeURIComponent(raw);
    } catch {
      throw new MockProblemError("validation_failed", "The URL is not valid percent-encoding.", { errors: [{ path: "url:/", message: "is not a valid URL" }] });
    }
  }
  const query: Record<string, string | undefined> = {};
  for (const name of Object.keys(specs.query)) query[name] = url.searchParams.get(name) ?? undefined;
  const header: Record<string, string | undefined> = {};
  for (const name of Object.keys(specs.header)) header[name] = headers.get(name) ?? undefined;
  const out = {
    path: readLocation(specs.path, decoded, "", errors) as Record<string, string>,
    query: readLocation(specs.query, query, "", errors),
    headers: readLocation(specs.header, header, "header:", errors) as Record<string, string>,
  };
  if (errors.length > 0) {
    const count = errors.length === 1 ? "1 field is invalid" : `${errors.length} fields are invalid`;
    throw new MockProblemError("validation_failed", `${count}: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`, { errors });
  }
  return out;
}
