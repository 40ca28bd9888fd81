import { isObject, type JsonObject } from "./loadDocument.js";
import { IdentifierPool, toIdentifier } from "./identifiers.js";
import { isJsonType, type OperationModel, type SchemaUse } from "./collectOperations.js";

/** Where every emitted zod schema comes from and what it is called. */
export interface SchemaPlan {
  /** Component schemas: `#/components/schemas/X` → export name, in document order. */
  components: Map<string, { name: string; schema: unknown; description?: string }>;
  /** Inline schemas of operations (bodies, responses) → export name. */
  inline: Array<{ name: string; schema: unknown; doc: string }>;
  /** The export name for a schema use of an operation; `null` for media types that are not JSON. */
  nameOf(op: OperationModel, part: "body" | `${string} ${string}`): string | null;
}

/**
 * Chooses export names for every schema the zod file will hold: component schemas keep their
 * name (made a valid identifier), inline operation schemas are named after the operation
 * (`addPetBody`, `findPetsResponse200`).
 */
// Names the emitted code itself uses, or globals a schema export would confusingly shadow.
const TAKEN = new Set(["z", "RegExp", "JSON", "Error", "Object", "Array", "String", "Number", "Boolean", "Date", "Map", "Set", "Promise", "Symbol"]);
const safeName = (name: string): string => (TAKEN.has(name) ? `${name}Schema` : name);

export function planSchemas(doc: JsonObject, ops: readonly OperationModel[]): SchemaPlan {
  const pool = new IdentifierPool([...TAKEN]);
  const components: SchemaPlan["components"] = new Map();
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  for (const [key, schema] of Object.entries(schemas)) {
    const ref = `#/components/schemas/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    const description = isObject(schema) && typeof schema.description === "string" ? schema.description : undefined;
    components.set(ref, { name: pool.take(safeName(toIdentifier(key))), schema, ...(description ? { description } : {}) });
  }
  const inline: SchemaPlan["inline"] = [];
  const names = new Map<string, string | null>();
  const nameFor = (use: SchemaUse | undefined, contentType: string, wanted: string, docText: string): string | null => {
    if (!use || !isJsonType(contentType)) return null;
    if ("ref" in use) {
      const component = components.get(use.ref);
      if (!component) throw new Error(`unresolvable $ref ${use.ref}`);
      return component.name;
    }
    const name = pool.take(wanted);
    inline.push({ name, schema: use.inline, doc: docText });
    return name;
  };
  for (const op of ops) {
    if (op.body) {
      names.set(`${op.key}\0body`, nameFor(op.body.schema, op.body.contentType, `${op.ident}Body`, `Request body of \`${op.key}\` (${op.body.contentType}).`));
    }
    for (const response of op.responses) {
      for (const media of response.content) {
        names.set(
          `${op.key}\0${response.status} ${media.contentType}`,
          nameFor(media.schema, media.contentType, `${op.ident}Response${statusWord(response.status)}`, `Response ${response.status} of \`${op.key}\` (${media.contentType}).`),
        );
      }
    }
  }
  return {
    components,
    inline,
    nameOf: (op, part) => names.get(`${op.key}\0${part}`) ?? null,
  };
}

/** `200` → `200`, `4XX` → `4XX`, `default` → `Default`: readable after `Response`. */
function statusWord(status: string): string {
  const word = status.replace(/[^A-Za-z0-9]/g, "");
  return word.charAt(0).toUpperCase() + word.slice(1);
}
