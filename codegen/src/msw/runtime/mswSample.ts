import { mswMatches } from "./mswMatches.js";
import { mswPattern } from "./mswPattern.js";
import type { MockRandom } from "./mswRandom.js";

type Schema = { [key: string]: unknown };

const isSchema = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

/** Beyond this nesting, and inside a recursive `$ref`, only required members are generated. */
const FULL_DEPTH = 3;
const MAX_DEPTH = 24;
const WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];

/** Follows a local `$ref` (`#/components/schemas/Pet`) in `root`. */
function resolve(root: Schema, ref: string): unknown {
  if (!ref.startsWith("#")) throw new Error(`mock data: only local $refs are supported, got ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").filter(Boolean)) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    node = isSchema(node) ? node[key] : undefined;
  }
  if (node === undefined) throw new Error(`mock data: unresolvable $ref ${ref}`);
  return node;
}

class Sampler {
  constructor(
    readonly root: Schema,
    readonly random: MockRandom,
  ) {}

  /** The schema with `$ref`s followed and `allOf` merged into one. */
  flatten(input: unknown, refs: readonly string[]): { schema: Schema; refs: readonly string[] } {
    let schema: Schema = isSchema(input) ? input : {};
    let chain = refs;
    for (let hops = 0; typeof schema.$ref === "string" && hops < 64; hops++) {
      const { $ref, ...siblings } = schema;
      chain = [...chain, $ref as string];
      const target = resolve(this.root, $ref as string);
      // OpenAPI 3.1 lets a $ref have sibling keywords: they apply on top of the target.
      const meaningful = Object.keys(siblings).filter((k) => !["description", "summary", "title"].includes(k));
      schema = meaningful.length > 0 ? { allOf: [target, siblings] } : isSchema(target) ? target : {};
    }
    if (Array.isArray(schema.allOf)) {
      const { allOf, ...rest } = schema;
      let merged: Schema = { ...rest };
      for (const part of allOf) {
        const flat = this.flatten(part, chain);
        chain = flat.refs;
        merged = mergeSchemas(merged, flat.schema);
      }
      return this.flatten(merged, chain);
    }
    return { schema, refs: chain };
  }

  sample(input: unknown, depth: number, refs: readonly string[]): unknown {
    const { schema, refs: chain } = this.flatten(input, refs);
    // A $ref seen twice on the way down is a recursion: keep to what is required from here.
    const minimal = depth >= FULL_DEPTH || chain.length !== new Set(chain).size;
    if (depth > MAX_DEPTH) return schema.nullable === true ? null : minimalValue(schema);
    if ("const" in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) {
      const values = schema.enum.filter((v) => v !== null);
      return values.length > 0 ? this.random.pick(values) : null;
    }
    const choices = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
    if (choices && choices.length > 0) return this.choose(schema, choices, depth, chain);
    switch (typeOf(schema)) {
      case "null":
        return null;
      case "boolean":
        return this.scalarExample(schema, "boolean") ?? this.random.next() < 0.5;
      case "integer":
      case "number":
        return this.scalarExample(schema, "number") ?? this.number(schema);
      case "string":
        return this.scalarExample(schema, "string") ?? this.string(schema);
      case "array":
        return this.array(schema, depth, chain, minimal);
      case "object":
        return this.object(schema, depth, chain, minimal);
      default:
        return this.string(schema);
    }
  }

  /**
   * One branch of a `oneOf`/`anyOf`, non-null ones first, with its discriminator value set. For a
   * `oneOf`, branches are tried until the data matches the chosen branch alone.
   */
  choose(schema: Schema, choices: unknown[], depth: number, refs: readonly string[]): unknown {
    const { oneOf, anyOf: _anyOf, discriminator, ...rest } = schema;
    const isNull = (c: unknown) => isSchema(c) && (c.type === "null" || (c.nullable === true && Object.keys(c).length === 1));
    const order = [...choices].sort(() => this.random.next() - 0.5).sort((a, b) => Number(isNull(a)) - Number(isNull(b)));
    let value: unknown;
    for (const [i, choice] of order.entries()) {
      value = this.branch(rest, discriminator, choice, depth, refs);
      const exclusive = !Array.isArray(oneOf) || discriminator !== undefined || oneOf.filter((c) => mswMatches(c, value, this.root)).length === 1;
      if (exclusive || i >= 24) break;
    }
    return value;
  }

  branch(rest: Schema, discriminator: unknown, choice: unknown, depth: number, refs: readonly string[]): unknown {
    const value = this.sample(Object.keys(rest).length > 0 ? { allOf: [rest, choice] } : choice, depth, refs);
    if (isSchema(discriminator) && typeof discriminator.propertyName === "string" && isSchema(value) && isSchema(choice) && typeof choice.$ref === "string") {
      const mapping = isSchema(discriminator.mapping) ? discriminator.mapping : {};
      const ref = choice.$ref;
      const key = Object.entries(mapping).find(([, target]) => target === ref)?.[0] ?? ref.slice(ref.lastIndexOf("/") + 1);
      const property = this.flatten(choice, refs).schema.properties;
      const declared = isSchema(property) ? this.flatten(property[discriminator.propertyName], refs).schema : {};
      // A discriminator property with its own enum/const already got a valid value.
      if (!("const" in declared) && !Array.isArray(declared.enum)) value[discriminator.propertyName] = key;
    }
    return value;
  }

  /** The schema's own `example`/`examples`/`default` when it is a `kind` value within its bounds. */
  scalarExample(schema: Schema, kind: "string" | "number" | "boolean"): unknown {
    const candidates = [schema.example, ...(Array.isArray(schema.examples) ? schema.examples : []), schema.default];
    return candidates.find((c) => typeof c === kind && (kind !== "string" || fitsString(schema, c as string)) && (kind !== "number" || fitsNumber(schema, c as number)) && mswMatches(schema, c, this.root));
  }

  number(schema: Schema): number {
    const integer = typeOf(schema) === "integer";
    const exclusive = (v: unknown, bound: unknown): number | undefined => (typeof v === "number" ? v : bound === true ? undefined : undefined);
    let lo = typeof schema.minimum === "number" ? schema.minimum : undefined;
    let hi = typeof schema.maximum === "number" ? schema.maximum : undefined;
    const exLo = exclusive(schema.exclusiveMinimum, undefined);
    const exHi = exclusive(schema.exclusiveMaximum, undefined);
    const step = integer ? 1 : 0.01;
    if (exLo !== undefined) lo = exLo + step;
    else if (schema.exclusiveMinimum === true && lo !== undefined) lo += step;
    if (exHi !== undefined) hi = exHi - step;
    else if (schema.exclusiveMaximum === true && hi !== undefined) hi -= step;
    lo ??= hi === undefined ? 1 : Math.min(1, hi - 1000);
    hi ??= lo + 1000;
    const multiple = typeof schema.multipleOf === "number" && schema.multipleOf > 0 ? schema.multipleOf : integer ? 1 : undefined;
    if (multiple !== undefined) {
      const first = Math.ceil(lo / multiple);
      const last = Math.floor(hi / multiple);
      return last < first ? first * multiple : this.random.int(first, Math.min(last, first + 1000)) * multiple;
    }
    return Math.round((lo + this.random.next() * (hi - lo)) * 100) / 100;
  }

  string(schema: Schema): string {
    const r = this.random;
    const n = r.int(1, 999);
    const date = new Date(Date.UTC(2024, 0, 1) + r.int(0, 365 * 86_400) * 1000).toISOString().replace(".000", "");
    const hex = (length: number) => Array.from({ length }, () => r.int(0, 15).toString(16)).join("");
    const byFormat: Record<string, () => string> = {
      "date-time": () => date,
      date: () => date.slice(0, 10),
      time: () => date.slice(11),
      email: () => `${r.pick(WORDS)}${n}@example.com`,
      uri: () => `https://example.com/${r.pick(WORDS)}/${n}`,
      url: () => `https://example.com/${r.pick(WORDS)}/${n}`,
      "uri-reference": () => `/${r.pick(WORDS)}/${n}`,
      hostname: () => `${r.pick(WORDS)}${n}.example.com`,
      ipv4: () => `192.0.2.${n % 256}`,
      ipv6: () => `2001:db8::${n.toString(16)}`,
      uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${r.pick(["8", "9", "a", "b"])}${hex(3)}-${hex(12)}`,
      byte: () => btoa(`${r.pick(WORDS)} ${n}`),
    };
    const format = typeof schema.format === "string" ? byFormat[schema.format] : undefined;
    let text = format ? format() : `${r.pick(WORDS)} ${n}`;
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(text)) text = mswPattern(schema.pattern, r) ?? text;
    const min = typeof schema.minLength === "number" ? schema.minLength : 0;
    const max = typeof schema.maxLength === "number" ? schema.maxLength : Number.POSITIVE_INFINITY;
    if ([...text].length < min) text = text.padEnd(min, "x");
    if ([...text].length > max) text = [...text].slice(0, max).join("");
    return text;
  }

  array(schema: Schema, depth: number, refs: readonly string[], minimal: boolean): unknown[] {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    const min = typeof schema.minItems === "number" ? schema.minItems : 0;
    const max = typeof schema.maxItems === "number" ? schema.maxItems : Number.POSITIVE_INFINITY;
    const count = Math.min(max, Math.max(min, prefix.length, minimal ? 0 : this.random.int(1, 2)));
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (let i = 0, attempts = 0; out.length < count && attempts < count * 5; attempts++, i++) {
      const item = this.sample(i < prefix.length ? prefix[i] : schema.items, depth + 1, refs);
      const key = JSON.stringify(item);
      if (schema.uniqueItems === true && seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
    return out;
  }

  object(schema: Schema, depth: number, refs: readonly string[], minimal: boolean): Schema {
    const properties = isSchema(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    const out: Schema = {};
    for (const [name, property] of Object.entries(properties)) {
      const flat = isSchema(property) ? property : {};
      if (flat.readOnly === true && flat.writeOnly === true) continue;
      if (!required.has(name) && minimal) continue;
      out[name] = this.sample(property, depth + 1, refs);
    }
    // Required members the properties do not describe (allowed by `additionalProperties`).
    for (const name of required) if (!(name in out)) out[name] = this.sample(isSchema(schema.additionalProperties) ? schema.additionalProperties : {}, depth + 1, refs);
    if (Object.keys(properties).length === 0 && isSchema(schema.additionalProperties) && !minimal) {
      out[this.random.pick(WORDS)] = this.sample(schema.additionalProperties, depth + 1, refs);
    }
    return out;
  }
}

function typeOf(schema: Schema): string | undefined {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") ?? "null" : schema.type;
  if (typeof type === "string") return type;
  if (isSchema(schema.properties) || isSchema(schema.additionalProperties) || Array.isArray(schema.required)) return "object";
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return "array";
  if (typeof schema.minimum === "number" || typeof schema.maximum === "number") return "number";
  return undefined;
}

function minimalValue(schema: Schema): unknown {
  switch (typeOf(schema)) {
    case "array":
      return [];
    case "object":
      return {};
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 0;
    case "boolean":
      return false;
    default:
      return "";
  }
}

/** Formats a spec's example is checked against (its examples are not always right). */
const FORMATS: Record<string, RegExp> = {
  "date-time": /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i,
  date: /^\d{4}-\d\d-\d\d$/,
  time: /^\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uri: /^[a-z][a-z0-9+.-]*:[^\s]*$/i,
  url: /^[a-z][a-z0-9+.-]*:[^\s]*$/i,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  ipv4: /^(?:\d{1,3}\.){3}\d{1,3}$/,
};

function fitsString(schema: Schema, value: string): boolean {
  const format = typeof schema.format === "string" ? FORMATS[schema.format] : undefined;
  if (format && !format.test(value)) return false;
  const length = [...value].length;
  if (typeof schema.minLength === "number" && length < schema.minLength) return false;
  if (typeof schema.maxLength === "number" && length > schema.maxLength) return false;
  return typeof schema.pattern !== "string" || new RegExp(schema.pattern, "u").test(value);
}

function fitsNumber(schema: Schema, value: number): boolean {
  if (typeOf(schema) === "integer" && !Number.isInteger(value)) return false;
  if (typeof schema.minimum === "number" && value < schema.minimum) return false;
  if (typeof schema.maximum === "number" && value > schema.maximum) return false;
  if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) return false;
  return !(typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum);
}

/** `allOf` parts as one schema: properties and required united, other keywords from the first that has them. */
function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...b, ...a };
  const pa = isSchema(a.properties) ? a.properties : {};
  const pb = isSchema(b.properties) ? b.properties : {};
  if (Object.keys(pa).length + Object.keys(pb).length > 0) {
    const properties: Schema = { ...pb, ...pa };
    for (const key of Object.keys(pa)) if (key in pb) properties[key] = { allOf: [pa[key], pb[key]] };
    out.properties = properties;
  }
  // Both constrain the value: only what both allow.
  if (Array.isArray(a.enum) && Array.isArray(b.enum)) out.enum = a.enum.filter((v) => (b.enum as unknown[]).some((w) => JSON.stringify(w) === JSON.stringify(v)));
  const required = [...(Array.isArray(a.required) ? a.required : []), ...(Array.isArray(b.required) ? b.required : [])];
  if (required.length > 0) out.required = [...new Set(required)];
  return out;
}

/**
 * Schema-valid data for an OpenAPI 3.0/3.1 schema (local `$ref`s resolved in `root`), drawn from
 * `random`: the same stream gives the same value. Optional members are filled near the top and
 * left out deeper down or inside recursive schemas; formats (date-time, email, uri, uuid, …),
 * bounds, `pattern`, `enum`, `const`, discriminators and scalar `example`s are honoured.
 *
 * @example
 * mswSample({ type: "object", required: ["id"], properties: { id: { type: "integer", minimum: 1 } } }, {}, mswRandom(1));
 * // { id: 734 }
 */
export function mswSample(schema: unknown, root: { [key: string]: unknown }, random: MockRandom): unknown {
  return new Sampler(root, random).sample(schema, 0, []);
}
