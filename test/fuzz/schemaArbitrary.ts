import fc from "fast-check";

/** A JSON Schema node as read from the dereferenced spec (or a function's catalogue entry). */
export type Schema = { [key: string]: unknown };

/** How far generated values may reach, so that valid jobs stay small and the run bounded. */
export interface SchemaLimits {
  /** Integers without a tighter bound are drawn from [-maxAbsInt, maxAbsInt]. */
  maxAbsInt: number;
  /** Arrays are at most this long (or the schema's maxItems when smaller). */
  maxItems: number;
  /** Strings are at most this long (or the schema's maxLength when smaller). */
  maxLength: number;
  /** Depth of values for schemas that allow anything (`{}`). */
  maxDepth: number;
}

export const defaultLimits: SchemaLimits = { maxAbsInt: 1_000, maxItems: 4, maxLength: 12, maxDepth: 2 };

/**
 * Replaces the generator at a JSON Pointer of the generated value (e.g. `/input/items`), so callers
 * can keep the spec's structure (required, additionalProperties, oneOf) but choose what a field
 * holds when the spec alone cannot say (the items a chosen function accepts).
 */
export type Overrides = Readonly<Record<string, fc.Arbitrary<unknown>>>;

/**
 * Builds a fast-check arbitrary of values that are VALID for a JSON Schema 2020-12 node: `const`,
 * `enum`, `oneOf`/`anyOf` (each branch), `type` (incl. lists), numeric bounds, `pattern`, lengths,
 * `items`, `properties`/`required`/`additionalProperties: false`, and `not: {const}`.
 * Only the keywords the protocol's schemas use are supported; anything else throws, so a new
 * keyword in the spec is noticed instead of silently generating invalid "valid" requests.
 *
 * @example
 * fc.sample(schemaArbitrary({ type: "integer", minimum: 1, maximum: 3 }), 3); // e.g. [2, 1, 3]
 */
export function schemaArbitrary(schema: Schema, limits: SchemaLimits = defaultLimits, overrides: Overrides = {}, at = ""): fc.Arbitrary<unknown> {
  const override = overrides[at];
  if (override) return override;
  const base = baseArbitrary(schema, limits, overrides, at);
  // `not: { const: X }` (Range.step ≠ 0) is the only negative keyword in the spec.
  const not = schema.not as Schema | undefined;
  if (not && "const" in not) return base.filter((v) => JSON.stringify(v) !== JSON.stringify(not.const));
  return base;
}

function baseArbitrary(schema: Schema, limits: SchemaLimits, overrides: Overrides, at: string): fc.Arbitrary<unknown> {
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const branches = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (branches) {
    // Sibling keywords of oneOf (e.g. `type: object`) are implied by every branch in this spec.
    return fc.oneof(...branches.map((b) => schemaArbitrary(b, limits, overrides, at)));
  }
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => schemaArbitrary({ ...schema, type: t }, limits, overrides, at)));
  switch (type) {
    case undefined:
      return fc.jsonValue({ maxDepth: limits.maxDepth });
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer(intBounds(schema, limits));
    case "number": {
      const { min, max } = intBounds(schema, limits);
      return fc.oneof(fc.integer({ min, max }), fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));
    }
    case "string":
      return stringArbitrary(schema, limits);
    case "array": {
      const maxLength = Math.min(limits.maxItems, (schema.maxItems as number | undefined) ?? Infinity);
      const minLength = (schema.minItems as number | undefined) ?? 0;
      const items = (schema.items as Schema | undefined) ?? {};
      return fc.array(schemaArbitrary(items, limits, overrides, `${at}/0`), { minLength, maxLength: Math.max(minLength, maxLength) });
    }
    case "object":
      return objectArbitrary(schema, limits, overrides, at);
    default:
      throw new Error(`schemaArbitrary: unsupported type ${JSON.stringify(type)} at '${at}'`);
  }
}

function intBounds(schema: Schema, limits: SchemaLimits): { min: number; max: number } {
  const min = Math.max((schema.minimum as number | undefined) ?? -limits.maxAbsInt, -limits.maxAbsInt);
  const max = Math.min((schema.maximum as number | undefined) ?? limits.maxAbsInt, limits.maxAbsInt);
  // A schema whose whole range lies outside the limit (minimum 10^9) keeps its own minimum.
  return min <= max ? { min, max } : { min: schema.minimum as number, max: schema.minimum as number };
}

function stringArbitrary(schema: Schema, limits: SchemaLimits): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = Math.max(minLength, Math.min(limits.maxLength, (schema.maxLength as number | undefined) ?? Infinity));
  if (typeof schema.pattern === "string") {
    const re = new RegExp(schema.pattern);
    return fc.stringMatching(re).filter((s) => s.length >= minLength && s.length <= ((schema.maxLength as number | undefined) ?? Infinity));
  }
  // Full Unicode (astral, combining, RTL): valid strings need not be ASCII.
  return fc.string({ unit: fc.oneof(fc.constant("a"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })), minLength, maxLength });
}

function objectArbitrary(schema: Schema, limits: SchemaLimits, overrides: Overrides, at: string): fc.Arbitrary<unknown> {
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const required = (schema.required as string[] | undefined) ?? [];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(properties)) model[key] = schemaArbitrary(sub, limits, overrides, `${at}/${key}`);
  const known = fc.record(model, { requiredKeys: required.filter((k) => k in model) });
  if (schema.additionalProperties === false || Object.keys(properties).length > 0) return known;
  const extra = schema.additionalProperties;
  if (extra !== null && typeof extra === "object") {
    // A map such as wordFrequency's accumulator `{word: count}`.
    return fc.dictionary(fc.string({ maxLength: 6 }), schemaArbitrary(extra as Schema, limits, overrides, `${at}/*`), { maxKeys: 3 });
  }
  // A free-form object (a function's inputSchema `{type: object}`) may hold anything.
  return fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: limits.maxDepth }), { maxKeys: 3 });
}
