import { defaultLimits } from "@polybridge/core";
import { exceedsJsonDepth } from "@polybridge/core/engine";
import { MockProblemError } from "./mockProblem.js";

/** The request limits every polybridge server enforces (docs/PROTOCOL.md, with its defaults). */
export interface MockLimits {
  /** Largest request body. Default 16 MiB. */
  maxBodyBytes: number;
  /** Deepest JSON nesting of a body. Default 64. */
  maxDepth: number;
  /** Most items of an `items` input. Default 1,000,000. */
  maxItems: number;
  /** Most values of a `range` input. Default 100,000,000. */
  maxRangeItems: number;
}

/** The protocol's default limits. */
export const DEFAULT_LIMITS: MockLimits = {
  maxBodyBytes: defaultLimits.bodyLimitBytes,
  maxDepth: defaultLimits.maxDepth,
  maxItems: defaultLimits.maxItems,
  maxRangeItems: defaultLimits.maxRangeItems,
};

/**
 * Whether a media type (lower-cased, without parameters) is JSON: `application/json`, the seed's
 * `application/jsonrequest`, or any `application/*+json` (docs/PROTOCOL.md, "Errors").
 *
 * @example
 * isJsonMediaType("application/vnd.api+json"); // true
 */
export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === "application/json" || mediaType === "application/jsonrequest" || /^application\/[!#$%&'*.^_`|~0-9a-z-]+\+json$/.test(mediaType);
}

/**
 * Reads a request body the way the reference server does: only JSON media types (see
 * {@link isJsonMediaType}; 415 otherwise), size checked from `Content-Length` before reading and again after, nesting
 * depth checked before parsing, malformed JSON → `invalid_json`.
 *
 * @example
 * const body = await readJsonBody(request, DEFAULT_LIMITS);
 */
export async function readJsonBody(request: Request, limits: MockLimits): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limits.maxBodyBytes) throw new MockProblemError("payload_too_large", `The body is larger than ${limits.maxBodyBytes} bytes.`);
  const mediaType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > limits.maxBodyBytes) throw new MockProblemError("payload_too_large", `The body is larger than ${limits.maxBodyBytes} bytes.`);
  if (mediaType === undefined && bytes.byteLength === 0) {
    throw new MockProblemError("validation_failed", "The request needs a JSON body.", { errors: [{ path: "/", message: "is required" }] });
  }
  if (mediaType === undefined || !isJsonMediaType(mediaType)) throw new MockProblemError("unsupported_media_type", "Send the body as application/json.");
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") throw new MockProblemError("invalid_json", "The body is empty; send a JSON document.");
  if (exceedsJsonDepth(text, limits.maxDepth)) throw new MockProblemError("nesting_too_deep", `JSON nesting is deeper than ${limits.maxDepth} levels.`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MockProblemError("invalid_json", `The body is not valid JSON: ${(error as Error).message}`);
  }
}
