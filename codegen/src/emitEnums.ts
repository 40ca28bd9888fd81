import { IdentifierPool, toIdentifier } from "./identifiers.js";
import { isObject } from "./loadDocument.js";
import { exportConstText, jsonText, moduleText } from "./tsText.js";
import type { SchemaPlan } from "./planSchemas.js";

/**
 * Prints `enums.ts`: the values of every enum of the component schemas as a readonly tuple, so
 * runtime code can test membership without loading zod — a schema's own enum (`JobStatusValues`),
 * and the enums of its properties and of their array items (`PetStatusValues` for `Pet.status`).
 * String and number enums; `null` members are left out (the types say nullable).
 */
export function emitEnums(plan: SchemaPlan, header: string): string {
  const statements: string[] = [];
  const pool = new IdentifierPool();
  const emit = (name: string, node: unknown, what: string): void => {
    const values = enumValues(node);
    if (!values) return;
    statements.push(
      exportConstText(pool.take(`${name}Values`), `${jsonText(values)} as const`, {
        doc: `Every value of ${what}, in document order.`,
      }),
    );
  };
  for (const { name, schema } of plan.components.values()) {
    emit(name, schema, `the \`${name}\` enum`);
    const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
    for (const [prop, node] of Object.entries(properties)) {
      const word = toIdentifier(prop, { camel: true });
      const base = `${name}${word.charAt(0).toUpperCase()}${word.slice(1)}`;
      if (isObject(node) && node.type === "array") emit(base, node.items, `\`${name}.${prop}\`'s items`);
      else emit(base, node, `\`${name}.${prop}\``);
    }
  }
  return moduleText(header, statements);
}

/** The enum of an inline schema (not a `$ref`: a referenced enum gets its own export). */
function enumValues(node: unknown): Array<string | number> | undefined {
  if (!isObject(node) || node.$ref !== undefined) return undefined;
  const raw = Array.isArray(node.enum) ? node.enum : undefined;
  if (!raw) return undefined;
  const values = raw.filter((v) => v !== null);
  return values.length > 0 && values.every((v) => typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) ? (values as Array<string | number>) : undefined;
}
