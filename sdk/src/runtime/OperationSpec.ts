/**
 * One operation as the runtime sends it: the shape of each entry `generate` writes into
 * `operations.ts`. Schema names refer to the exports of the generated `schemas.ts` (`null` when a
 * media type has no JSON schema), so the table itself never loads zod.
 */
export interface OperationSpec {
  readonly method: string;
  readonly path: string;
  readonly pathParams: ReadonlyArray<{ readonly name: string; readonly required: boolean }>;
  readonly queryParams: ReadonlyArray<{ readonly name: string; readonly required: boolean }>;
  readonly headerParams: ReadonlyArray<{ readonly name: string; readonly required: boolean }>;
  readonly body: { readonly contentType: string; readonly required: boolean; readonly schema: string | null } | null;
  /** Status (`"200"`, `"4XX"`, `"default"`) → media type → schema name. */
  readonly responses: { readonly [status: string]: { readonly [contentType: string]: string | null } };
  /**
   * The security requirements (alternatives, each a list of scheme names); `[]` inside means
   * "no auth is one option". Absent: the document's top-level `security`, else none.
   */
  readonly security?: ReadonlyArray<ReadonlyArray<string>>;
}

/** A `securitySchemes` entry, as `generate --client` writes it into `security.ts`. */
export type SecurityScheme =
  | { readonly type: "http"; readonly scheme: string }
  | { readonly type: "apiKey"; readonly in: "header" | "query" | "cookie"; readonly name: string }
  | { readonly type: "oauth2" | "openIdConnect" | "mutualTLS" };

/** Runtime arguments of an operation (typed by {@link OperationArgs} in generated code). */
export interface RawArgs {
  path?: Record<string, unknown> | undefined;
  query?: Record<string, unknown> | undefined;
  headers?: Record<string, unknown> | undefined;
  body?: unknown;
}
