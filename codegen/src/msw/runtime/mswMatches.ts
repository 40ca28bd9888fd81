type Schema = { [key: string]: unknown };

const isSchema = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isSchema(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    default:
      return typeof value === type;
  }
}

/**
 * Whether `value` satisfies `schema` for the structural keywords (types and `nullable`, `enum`,
 * `const`, `required`, `properties`, `additionalProperties`, items, bounds, `pattern` and the
 * combinators; not formats). The data generator uses it to pick a `oneOf` branch whose data
 * matches that branch alone, as `oneOf` demands.
 *
 * @example
 * mswMatches({ type: "object", required: ["id"] }, { id: 1 }, {}); // true
 */
export function mswMatches(input: unknown, value: unknown, root: Schema, depth = 0): boolean {
  if (depth > 64 || input === true || input === undefined) return true;
  if (input === false || !isSchema(input)) return input !== false;
  const s = input;
  const recurse = (schema: unknown, v: unknown): boolean => mswMatches(schema, v, root, depth + 1);
  if (typeof s.$ref === "string") {
    let target: unknown = root;
    for (const raw of s.$ref.slice(2).split("/")) target = isSchema(target) ? target[decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~")] : undefined;
    if (!recurse(target, value)) return false;
  }
  if (value === null && s.nullable === true) return true;
  const types = Array.isArray(s.type) ? s.type.map(String) : typeof s.type === "string" ? [s.type] : [];
  if (types.length > 0 && !types.some((t) => typeMatches(t, value))) return false;
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(value)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return false;
  if (Array.isArray(s.allOf) && !s.allOf.every((part) => recurse(part, value))) return false;
  if (Array.isArray(s.anyOf) && !s.anyOf.some((part) => recurse(part, value))) return false;
  if (Array.isArray(s.oneOf) && s.oneOf.filter((part) => recurse(part, value)).length !== 1) return false;
  if (s.not !== undefined && recurse(s.not, value)) return false;
  if (typeof value === "string") {
    const length = [...value].length;
    if ((typeof s.minLength === "number" && length < s.minLength) || (typeof s.maxLength === "number" && length > s.maxLength)) return false;
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value)) return false;
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) return false;
    if (typeof s.maximum === "number" && value > s.maximum) return false;
  }
  if (Array.isArray(value)) {
    if ((typeof s.minItems === "number" && value.length < s.minItems) || (typeof s.maxItems === "number" && value.length > s.maxItems)) return false;
    if (s.items !== undefined && !value.every((item) => recurse(s.items, item))) return false;
  }
  if (isSchema(value)) {
    const properties = isSchema(s.properties) ? s.properties : {};
    if (Array.isArray(s.required) && !s.required.every((name) => String(name) in value)) return false;
    for (const [name, member] of Object.entries(value)) {
      if (name in properties) {
        if (!recurse(properties[name], member)) return false;
      } else if (s.additionalProperties === false || (isSchema(s.additionalProperties) && !recurse(s.additionalProperties, member))) return false;
    }
  }
  return true;
}
