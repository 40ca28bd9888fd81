import type { OperationModel } from "./collectOperations.js";

/** Options of {@link emitClient}. */
export interface ClientEmitOptions {
  /** Where the runtime comes from: `@polybridge/sdk/runtime` for users, a relative path inside the SDK. */
  runtimeImport: string;
}

/**
 * Prints `client.ts`: one exported function per operation (`findPetById(api, args, options)`),
 * typed from `types.ts` — `OperationArgs` for path, query, header and body, `SuccessBody` for the
 * 2xx answers — and one `…Error` type per operation (its declared error answers, the `R` of the
 * `ApiError<R>` it throws). Each function only names its own descriptor in `operations.ts`, so a
 * bundler keeps just the operations a program calls.
 */
export function emitClient(ops: readonly OperationModel[], header: string, options: ClientEmitOptions): string {
  const lines: string[] = [
    header,
    `import { callOperation, type ApiClient, type CallOptions, type ErrorResponses, type OperationArgs, type SuccessBody } from ${JSON.stringify(options.runtimeImport)};`,
    `import * as ops from "./operations.js";`,
    `import type { paths } from "./types.js";`,
    "",
    `export { securitySchemes } from "./operations.js";`,
  ];
  if (ops.length === 0) lines.splice(1, 3);
  for (const op of ops) {
    const type = `paths[${JSON.stringify(op.path)}][${JSON.stringify(op.method.toLowerCase())}]`;
    const typeName = op.ident.charAt(0).toUpperCase() + op.ident.slice(1);
    const required = op.params.path.length > 0 || op.params.query.some((p) => p.required) || op.params.header.some((p) => p.required) || op.body?.required === true;
    const doc = [
      ...(op.summary ? [op.summary] : []),
      ...(op.description && op.description !== op.summary ? [op.description] : []),
      `\`${op.method} ${op.path}\` (\`${op.key}\`). Resolves with the decoded 2xx body; rejects with \`ApiError<${typeName}Error>\`.`,
      ...(op.deprecated ? ["@deprecated"] : []),
      "",
      "@example",
      `const data = await ${op.ident}(api${required ? ", { /* path, query, headers, body */ }" : ""});`,
    ];
    lines.push(
      "",
      jsDoc(doc),
      `export function ${op.ident}(client: ApiClient, args${required ? "" : "?"}: OperationArgs<${type}>, options?: CallOptions): Promise<SuccessBody<${type}>> {`,
      `    return callOperation(client, ops.${op.ident}, ${JSON.stringify(op.key)}, args, options);`,
      "}",
      `/** The declared error answers of \`${op.key}\` (\`{ status, body }\`): \`ApiError<${typeName}Error>\`'s \`response\`. */`,
      `export type ${typeName}Error = ErrorResponses<${type}>;`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function jsDoc(lines: readonly string[]): string {
  const body = lines.flatMap((l) => l.replaceAll("*/", "*\\/").split("\n")).map((l) => ` * ${l}`.trimEnd());
  return ["/**", ...body, " */"].join("\n");
}
