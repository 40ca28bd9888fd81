/**
 * What `generate server` writes into a project's src/gen, next to what `generate` may write there
 * from the same spec: each run removes only its own stale files.
 */
export const SERVER_STUB_FILES: ReadonlySet<string> = new Set(["routes.ts", "openapi.ts"]);
