import { isObject, resolveLocalRef, type JsonObject } from "./loadDocument.js";
import { arrayText, chainText, jsonText, objectText, propertyText, stringText, zText } from "./tsText.js";

const COMPONENT_PREFIX = "#/components/schemas/";

/** What the converter needs from the file being emitted. */
export interface ZodContext {
  doc: JsonObject;
  /** The identifier of an emitted component schema, wrapped in `z.lazy` when it is not defined yet. */
  ref(ref: string): string;
  /** True when `ref` must be referenced through `z.lazy` (cycles), so its shape is unknown to the type checker. */
  isLazy(ref: string): boolean;
}

/**
 * Converts one OpenAPI 3.0 / 3.1 schema (a JSON Schema dialect) into a zod 4 expression (its source text).
 * Response validation is its job, so it checks shapes and bounds but never transforms data
 * (no defaults, no coercion) and objects accept unknown keys unless `additionalProperties: false`.
 */
export function schemaToZod(schema: unknown, ctx: ZodContext, depth = 0): string {
  if (depth > 64) throw new Error("schema nesting deeper than 64 levels");
  if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) return zText("unknown");
  if (schema === false) return zText("never");
  if (!isObject(schema)) return zText("unknown");
  if (typeof schema.$ref === "string") return refToZod(schema.$ref, ctx, depth);

  let expr = coreSchema(schema, ctx, depth);
  if (schema.nullable === true) expr = chainText(expr, "nullable");
  if (schema.not !== undefined) {
    const inner = schemaToZod(schema.not, ctx, depth + 1);
    expr = chainText(expr, "refine", `value => !${chainText(inner, "safeParse", "value")}.success`, stringText("must not match the schema under `not`"));
  }
  return expr;
}

function refToZod(ref: string, ctx: ZodContext, depth: number): string {
  if (ref.startsWith(COMPONENT_PREFIX)) return ctx.ref(ref);
  const target = resolveLocalRef(ctx.doc, ref);
  if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return schemaToZod(target, ctx, depth + 1);
}

function coreSchema(schema: JsonObject, ctx: ZodContext, depth: number): string {
  if ("const" in schema) return literalSchema(schema.const);
  if (Array.isArray(schema.enum)) return enumSchema(schema.enum);
  const parts: string[] = [];
  const composed = Array.isArray(schema.allOf) || Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf);
  // A bare `type: object` next to oneOf/allOf only restates what the alternatives require.
  const bareObject = schema.type === "object" && schema.properties === undefined && schema.additionalProperties === undefined;
  if (hasOwnShape(schema) && !(composed && bareObject)) parts.push(typedSchema(schema, ctx, depth));
  if (Array.isArray(schema.allOf)) parts.push(...schema.allOf.map((s) => schemaToZod(s, ctx, depth + 1)));
  const alternatives = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
  if (alternatives) parts.push(unionSchema(alternatives, schema, ctx, depth));
  const [first, ...rest] = parts;
  if (!first) return zText("unknown");
  return rest.reduce((acc, part) => chainText(acc, "and", part), first);
}

function hasOwnShape(schema: JsonObject): boolean {
  return schema.type !== undefined || isObject(schema.properties) || schema.items !== undefined || Array.isArray(schema.prefixItems);
}

function literalSchema(value: unknown): string {
  if (value === null) return zText("null");
  if (typeof value === "object") {
    // Structured constants are rare; compare by JSON text instead of emitting a literal schema.
    const text = JSON.stringify(value);
    return chainText(zText("unknown"), "refine", `value => JSON.stringify(value) === ${stringText(text)}`, stringText(`must equal ${text}`));
  }
  return zText("literal", jsonText(value));
}

function enumSchema(values: unknown[]): string {
  const nonNull = values.filter((v) => v !== null);
  const nullable = nonNull.length !== values.length;
  let expr: string;
  if (nonNull.length === 0) return zText("null");
  if (nonNull.length === 1) expr = literalSchema(nonNull[0]);
  else if (nonNull.every((v) => typeof v === "string")) expr = zText("enum", jsonText(nonNull));
  else expr = zText("union", arrayText(nonNull.map(literalSchema)));
  return nullable ? chainText(expr, "nullable") : expr;
}

function typedSchema(schema: JsonObject, ctx: ZodContext, depth: number): string {
  const declared = Array.isArray(schema.type) ? schema.type.filter((t): t is string => typeof t === "string") : typeof schema.type === "string" ? [schema.type] : [];
  const types = declared.length > 0 ? declared : [isObject(schema.properties) ? "object" : "array"];
  const nonNull = types.filter((t) => t !== "null");
  const exprs = nonNull.map((t) => singleType(t, schema, ctx, depth));
  const [first] = exprs;
  if (!first) return zText("null");
  const base = exprs.length === 1 ? first : zText("union", arrayText(exprs));
  return nonNull.length !== types.length ? chainText(base, "nullable") : base;
}

function num(schema: JsonObject, key: string): number | undefined {
  const v = schema[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function singleType(type: string, schema: JsonObject, ctx: ZodContext, depth: number): string {
  switch (type) {
    case "string": {
      let e = zText("string");
      const min = num(schema, "minLength");
      const max = num(schema, "maxLength");
      if (min !== undefined) e = chainText(e, "min", jsonText(min));
      if (max !== undefined) e = chainText(e, "max", jsonText(max));
      if (typeof schema.pattern === "string" && compiles(schema.pattern)) {
        e = chainText(e, "regex", `new RegExp(${stringText(schema.pattern)}, "u")`);
      }
      return e;
    }
    case "integer":
    case "number":
      return numberSchema(type, schema);
    case "boolean":
      return zText("boolean");
    case "null":
      return zText("null");
    case "array":
      return arraySchema(schema, ctx, depth);
    case "object":
      return objectSchema(schema, ctx, depth);
    default:
      return zText("unknown");
  }
}

/** Patterns come from documents written for other regex engines; skip the ones JavaScript rejects. */
function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

function numberSchema(type: string, schema: JsonObject): string {
  let e = zText(type === "integer" ? "int" : "number");
  const min = num(schema, "minimum");
  const max = num(schema, "maximum");
  // 3.0 marks exclusivity with booleans next to minimum/maximum; 3.1 gives the bound itself.
  const exMin = schema.exclusiveMinimum === true ? min : num(schema, "exclusiveMinimum");
  const exMax = schema.exclusiveMaximum === true ? max : num(schema, "exclusiveMaximum");
  if (exMin !== undefined) e = chainText(e, "gt", jsonText(exMin));
  else if (min !== undefined) e = chainText(e, "gte", jsonText(min));
  if (exMax !== undefined) e = chainText(e, "lt", jsonText(exMax));
  else if (max !== undefined) e = chainText(e, "lte", jsonText(max));
  const multipleOf = num(schema, "multipleOf");
  if (multipleOf !== undefined && multipleOf > 0) e = chainText(e, "multipleOf", jsonText(multipleOf));
  return e;
}

function arraySchema(schema: JsonObject, ctx: ZodContext, depth: number): string {
  const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined;
  if (tuple) {
    const items = arrayText(tuple.map((s) => schemaToZod(s, ctx, depth + 1)));
    const rest = Array.isArray(schema.prefixItems) && schema.items !== undefined && schema.items !== false ? schemaToZod(schema.items, ctx, depth + 1) : undefined;
    return rest ? zText("tuple", items, rest) : zText("tuple", items);
  }
  let e = zText("array", schemaToZod(schema.items ?? true, ctx, depth + 1));
  const min = num(schema, "minItems");
  const max = num(schema, "maxItems");
  if (min !== undefined) e = chainText(e, "min", jsonText(min));
  if (max !== undefined) e = chainText(e, "max", jsonText(max));
  return e;
}

function objectSchema(schema: JsonObject, ctx: ZodContext, depth: number): string {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : []);
  const extra = schema.additionalProperties;
  const names = Object.keys(properties);
  if (names.length === 0 && isObject(extra)) return zText("record", zText("string"), schemaToZod(extra, ctx, depth + 1));
  if (names.length === 0 && extra !== false) return zText("record", zText("string"), zText("unknown"));
  const shape = objectText(
    names.map((name) => {
      const value = schemaToZod(properties[name], ctx, depth + 1);
      // exactOptional: the output type is `name?: T` like openapi-typescript's, not `name?: T | undefined`
      // (assignable to the generated types under exactOptionalPropertyTypes).
      return `${propertyText(name)}: ${required.has(name) ? value : chainText(value, "exactOptional")}`;
    }),
  );
  if (extra === false) return zText("strictObject", shape);
  if (isObject(extra) && Object.keys(extra).length > 0) return chainText(zText("object", shape), "catchall", schemaToZod(extra, ctx, depth + 1));
  return zText("looseObject", shape);
}

function unionSchema(alternatives: unknown[], parent: JsonObject, ctx: ZodContext, depth: number): string {
  const members = alternatives.map((s) => schemaToZod(s, ctx, depth + 1));
  const [only] = members;
  if (members.length === 1 && only) return only;
  const discriminator = discriminatorOf(alternatives, parent, ctx);
  return discriminator
    ? zText("discriminatedUnion", stringText(discriminator), arrayText(members))
    : zText("union", arrayText(members));
}

/**
 * The property that tells the alternatives apart — the declared `discriminator.propertyName`, or
 * one found by looking — usable with `z.discriminatedUnion` only when every alternative is an
 * object that requires it with a single constant value. Otherwise a plain union is emitted.
 */
function discriminatorOf(alternatives: unknown[], parent: JsonObject, ctx: ZodContext): string | undefined {
  const resolved: JsonObject[] = [];
  for (const alt of alternatives) {
    if (isObject(alt) && typeof alt.$ref === "string") {
      if (ctx.isLazy(alt.$ref)) return undefined;
      const target = resolveLocalRef(ctx.doc, alt.$ref);
      if (!isObject(target) || typeof target.$ref === "string") return undefined;
      resolved.push(target);
    } else if (isObject(alt)) resolved.push(alt);
    else return undefined;
  }
  const declared = isObject(parent.discriminator) && typeof parent.discriminator.propertyName === "string" ? parent.discriminator.propertyName : undefined;
  const candidates = declared ? [declared] : Object.keys(isObject(resolved[0]?.properties) ? resolved[0].properties : {});
  const seen = new Set<string>();
  return candidates.find((name) => {
    seen.clear();
    return resolved.every((s) => {
      if (s.additionalProperties === false && !(isObject(s.properties) && name in s.properties)) return false;
      const required = Array.isArray(s.required) && s.required.includes(name);
      const prop = isObject(s.properties) ? s.properties[name] : undefined;
      const value = isObject(prop) ? ("const" in prop ? prop.const : Array.isArray(prop.enum) && prop.enum.length === 1 ? prop.enum[0] : undefined) : undefined;
      if (!required || (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")) return false;
      const key = JSON.stringify(value);
      if (seen.has(key)) return false;
      seen.add(key);
      return (s.type === undefined || s.type === "object") && s.nullable !== true && s.not === undefined &&
        s.allOf === undefined && s.oneOf === undefined && s.anyOf === undefined;
    });
  });
}
