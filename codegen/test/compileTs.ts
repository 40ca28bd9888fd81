import type ts from "typescript";
import { compileStrict } from "../../test/codegen-client/compileStrict.js";

/**
 * Type-checks `files` under the strictest settings a user's project may have (see
 * `compileStrict`), NodeNext resolution, no emit; an empty list means they compile. `extra`
 * overrides compiler options.
 */
export function compileTs(files: readonly string[], extra: ts.CompilerOptions = {}): string[] {
  return compileStrict(files, "NodeNext", extra);
}
