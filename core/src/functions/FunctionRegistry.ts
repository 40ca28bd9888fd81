import { z } from "zod";
import type { FunctionDefinition } from "./defineFunction.js";

/** A catalogue entry as served by `GET /v1/functions/{name}`. */
export interface FunctionInfo {
  name: string;
  kind: FunctionDefinition["kind"];
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  identity?: unknown;
}

function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  // `io: "input"` describes what callers may send (defaults make fields optional).
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

function describe(def: FunctionDefinition): FunctionInfo {
  const base = { name: def.name, kind: def.kind, description: def.description, inputSchema: toJsonSchema(def.input) };
  switch (def.kind) {
    case "unary":
      return { ...base, outputSchema: toJsonSchema(def.output) };
    case "reducer":
      return { ...base, outputSchema: toJsonSchema(def.output), identity: def.identity };
    case "emitter":
      return { ...base, outputSchema: toJsonSchema(z.array(z.tuple([z.union([z.string(), z.number()]), def.value]))) };
  }
}

/**
 * The functions a server can run, by name; a name may be defined once. Browser-safe (the msw
 * handlers use it); `loadRegistry` builds one from module files in Node.
 *
 * @example
 * const registry = new FunctionRegistry(conformanceFunctions);
 * registry.get("square")?.kind; // "unary"
 */
export class FunctionRegistry {
  readonly #byName = new Map<string, FunctionDefinition>();
  readonly #catalogue: FunctionInfo[];

  constructor(definitions: readonly FunctionDefinition[]) {
    for (const def of definitions) {
      if (this.#byName.has(def.name)) throw new Error(`function '${def.name}' is defined twice`);
      this.#byName.set(def.name, def);
    }
    this.#catalogue = [...this.#byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(describe);
  }

  get(name: string): FunctionDefinition | undefined {
    return this.#byName.get(name);
  }

  /** Catalogue entries sorted by name. */
  catalogue(): readonly FunctionInfo[] {
    return this.#catalogue;
  }

  info(name: string): FunctionInfo | undefined {
    return this.#catalogue.find((f) => f.name === name);
  }
}
