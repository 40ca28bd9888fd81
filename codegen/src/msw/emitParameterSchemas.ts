import { collectOperations } from "../collectOperations.js";
import { deref, isObject, resolveLocalRef, type JsonObject } from "../loadDocument.js";
import { planSchemas } from "../planSchemas.js";
import { schemaToZod, type ZodContext } from "../schemaToZod.js";
import { exportConstText, inlineObjectText, moduleText, objectText, propertyText, stringText } from "../tsText.js";

const LOCATIONS = ["path", "query", "header"] as const;

/** The JSON type a parameter's string value is read as (`$ref`s followed). */
function scalarType(doc: JsonObject, schema: unknown): string {
  let node = schema;
  for (let i = 0; i < 32 && isObject(node) && typeof node.$ref === "string"; i++) node = resolveLocalRef(doc, node.$ref);
  return isObject(node) && typeof node.type === "string" ? node.type : "string";
}

/**
 * Prints `parameters.ts`: per operation, per location (`path`, `query`, `header`), each
 * parameter's zod schema and the JSON type its string is read as. Component schemas are
 * imported from the SDK's generated `schemas.ts`, so both files describe one contract.
 */
export function emitParameterSchemas(doc: JsonObject, header: string, schemasModule: string): string {
  const ops = collectOperations(doc);
  const plan = planSchemas(doc, ops);
  const ctx: ZodContext = {
    doc,
    isLazy: () => false,
    ref: (ref) => {
      const entry = plan.components.get(ref);
      if (!entry) throw new Error(`unresolvable $ref ${ref}`);
      return `schemas.${entry.name}`;
    },
  };
  const paths = isObject(doc.paths) ? doc.paths : {};
  const byOperation = ops.map((op) => {
    const item = deref(doc, paths[op.path]);
    const operation = deref(doc, item?.[op.method.toLowerCase()]);
    const raw = [...(Array.isArray(item?.parameters) ? item.parameters : []), ...(Array.isArray(operation?.parameters) ? operation.parameters : [])];
    const params = new Map<string, JsonObject>();
    for (const entry of raw) {
      const p = deref(doc, entry);
      if (p && typeof p.name === "string" && typeof p.in === "string") params.set(`${p.in}:${p.name}`, p);
    }
    const locations = LOCATIONS.map((where) => {
      const members = [...params.values()]
        .filter((p) => p.in === where)
        .map((p) => {
          const name = propertyText(where === "header" ? String(p.name).toLowerCase() : String(p.name));
          const required = p.required === true || where === "path";
          return `${name}: ${inlineObjectText([`schema: ${schemaToZod(p.schema, ctx)}`, `type: ${stringText(scalarType(doc, p.schema))}`, `required: ${required}`])}`;
        });
      return `${where}: ${objectText(members)}`;
    });
    return `${propertyText(op.key)}: ${objectText(locations)}`;
  });
  return moduleText(header, [
    'import { z } from "zod";',
    `import * as schemas from ${stringText(schemasModule)};`,
    exportConstText("parameterSchemas", `${objectText(byOperation)} as const`, {
      doc: "Every operation's parameters by location (header names lower-cased): zod schema, JSON type of the value, required.",
    }),
  ]);
}
