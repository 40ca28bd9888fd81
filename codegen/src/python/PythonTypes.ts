import { isObject, type JsonObject } from "../loadDocument.js";
import { docstring, isPythonIdentifier, pascalCase, pythonLiteral, pythonString, uniqueName } from "./pythonNames.js";

/**
 * Where a type is used: `in` for what the caller passes (sequences and mappings, so a tuple or
 * a `range` is accepted and containers stay covariant), `out` for what the client hands back
 * (the lists and dicts `json.loads` builds).
 */
export type Flavour = "in" | "out";

const ANY: Record<Flavour, string> = { in: "JsonInput", out: "JsonValue" };

// Names the runtime part of the module defines; a generated TypedDict never takes one.
const RUNTIME_NAMES = [
  "JsonValue", "JsonInput", "JobStatusName", "JobKind", "FieldError", "Problem", "Progress", "JobResult", "JobInfo", "JobList",
  "FunctionInfo", "Health", "ProgressEventData", "StatusEvent", "ProgressEvent", "ResultEvent", "ErrorEvent", "JobEvent",
  "ProgressCallback", "ProblemError", "Job", "Functions", "Jobs", "Client", "R",
  "Any", "Callable", "Dict", "Generic", "Iterator", "List", "Literal", "Mapping", "Optional", "Sequence", "Tuple", "TypedDict",
  "TypeVar", "Union", "cast", "overload",
];

// A field named like a type its class body uses would shadow that type there.
const RESERVED_FIELDS = new Set([...RUNTIME_NAMES, "int", "float", "str", "bool"]);

/**
 * Turns JSON Schemas (as a catalogue lists them) into Python type expressions, collecting the
 * `TypedDict` classes that objects with `properties` need. Inside a TypedDict every field is
 * `out`-flavoured, so one class serves arguments and answers alike.
 *
 * @example
 * const types = new PythonTypes();
 * types.typeOf({ type: "array", items: { type: "number" } }, "in", "SquareInput"); // "Sequence[float]"
 * types.declarations(); // the TypedDict classes, in order of first use
 */
export class PythonTypes {
  private readonly taken = new Set(RUNTIME_NAMES);
  private readonly classes: string[] = [];
  // One class per schema object: its fields are flavour-free, so `in` and `out` share it.
  private readonly classOf = new Map<object, string>();

  /** The Python type of `schema`; `name` names a TypedDict it may need. `root` resolves local `$ref`s. */
  typeOf(schema: unknown, flavour: Flavour, name: string, root: unknown = schema, seen: ReadonlySet<unknown> = new Set()): string {
    if (!isObject(schema)) return ANY[flavour];
    if (typeof schema.$ref === "string") {
      const target = resolveRef(root, schema.$ref);
      // A recursive or unresolvable reference is any JSON: Python cannot name it without a class per $def.
      if (target === undefined || seen.has(target)) return ANY[flavour];
      return this.typeOf(target, flavour, name, root, new Set([...seen, target]));
    }
    const nullable = schema.nullable === true;
    const type = this.nonNullable(schema, flavour, name, root, seen);
    return nullable ? optional(type) : type;
  }

  /** The TypedDict classes used so far, as Python source. */
  declarations(): string {
    return this.classes.join("\n\n\n");
  }

  /** True when a `range` of integers is a valid list of inputs for `schema`. */
  acceptsIntegers(schema: unknown, root: unknown = schema, depth = 0): boolean {
    if (!isObject(schema) || depth > 16) return true;
    if (typeof schema.$ref === "string") return this.acceptsIntegers(resolveRef(root, schema.$ref), root, depth + 1);
    for (const key of ["anyOf", "oneOf"] as const) {
      const options = schema[key];
      if (Array.isArray(options)) return options.some((o) => this.acceptsIntegers(o, root, depth + 1));
    }
    if ("const" in schema || Array.isArray(schema.enum)) return false;
    const types = typeList(schema);
    return types === undefined ? !("properties" in schema || "items" in schema) : types.includes("integer") || types.includes("number");
  }

  private nonNullable(schema: JsonObject, flavour: Flavour, name: string, root: unknown, seen: ReadonlySet<unknown>): string {
    if ("const" in schema) return literalType([schema.const]) ?? ANY[flavour];
    if (Array.isArray(schema.enum)) return literalType(schema.enum) ?? ANY[flavour];
    for (const key of ["anyOf", "oneOf"] as const) {
      const options = schema[key];
      if (Array.isArray(options) && options.length > 0) {
        return union(options.map((o, i) => this.typeOf(o, flavour, `${name}Option${i + 1}`, root, seen)), flavour);
      }
    }
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return this.typeOf(schema.allOf[0], flavour, name, root, seen);
    const types = typeList(schema) ?? (isObject(schema.properties) ? ["object"] : isObject(schema.items) ? ["array"] : undefined);
    if (types === undefined || types.length === 0) return ANY[flavour];
    const each = types.map((t) => this.ofType(t, schema, flavour, name, root, seen));
    return union(each, flavour);
  }

  private ofType(type: string, schema: JsonObject, flavour: Flavour, name: string, root: unknown, seen: ReadonlySet<unknown>): string {
    switch (type) {
      case "integer":
        return "int";
      case "number":
        return "float";
      case "string":
        return "str";
      case "boolean":
        return "bool";
      case "null":
        return "None";
      case "array":
        return this.arrayType(schema, flavour, name, root, seen);
      case "object":
        return this.objectType(schema, flavour, name, root, seen);
      default:
        return ANY[flavour];
    }
  }

  private arrayType(schema: JsonObject, flavour: Flavour, name: string, root: unknown, seen: ReadonlySet<unknown>): string {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    const items = schema.items === false ? undefined : schema.items;
    const itemTypes = prefix.map((p, i) => this.typeOf(p, flavour, `${name}Item${i + 1}`, root, seen));
    // A fixed-length tuple is a Tuple only where the caller builds it: json.loads gives lists.
    if (prefix.length > 0 && schema.items === false && flavour === "in") return `Tuple[${itemTypes.join(", ")}]`;
    if (items !== undefined || prefix.length === 0) itemTypes.push(this.typeOf(items, flavour, `${name}Item`, root, seen));
    return `${flavour === "in" ? "Sequence" : "List"}[${union(itemTypes, flavour)}]`;
  }

  private objectType(schema: JsonObject, flavour: Flavour, name: string, root: unknown, seen: ReadonlySet<unknown>): string {
    const container = flavour === "in" ? "Mapping" : "Dict";
    if (!isObject(schema.properties) || Object.keys(schema.properties).length === 0) {
      const extra = schema.additionalProperties;
      return `${container}[str, ${isObject(extra) ? this.typeOf(extra, flavour, `${name}Value`, root, seen) : ANY[flavour]}]`;
    }
    const known = this.classOf.get(schema);
    if (known !== undefined) return known;
    const className = uniqueName(pascalCase(name), this.taken);
    this.classOf.set(schema, className);
    const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : []);
    const fields = Object.entries(schema.properties).map(([key, field]) => ({
      key,
      type: this.typeOf(field, "out", `${className}${pascalCase(key)}`, root, seen),
      required: required.has(key),
      doc: isObject(field) && typeof field.description === "string" ? field.description : undefined,
    }));
    this.classes.push(typedDict(className, fields, typeof schema.description === "string" ? schema.description : undefined));
    return className;
  }
}

interface Field {
  key: string;
  type: string;
  required: boolean;
  doc: string | undefined;
}

/**
 * A TypedDict: class syntax when every key is a plain identifier (required keys in a base
 * class, optional ones in a `total=False` subclass: Python 3.8 has no `NotRequired`), else the
 * functional syntax for both halves.
 */
function typedDict(name: string, fields: readonly Field[], description: string | undefined): string {
  const required = fields.filter((f) => f.required);
  const optional = fields.filter((f) => !f.required);
  // A TypedDict body holds only fields (and a docstring): field descriptions go in the docstring.
  const fieldDocs = fields.filter((f) => f.doc).map((f) => `${f.key}: ${f.doc!.replace(/\s+/g, " ")}`);
  const doc = docstring([description ?? `An object of the catalogue's schemas.`, ...(fieldDocs.length > 0 ? ["", ...fieldDocs] : [])].join("\n"), "    ");
  if (fields.every((f) => isPythonIdentifier(f.key) && !RESERVED_FIELDS.has(f.key))) {
    const body = (list: readonly Field[]): string => list.map((f) => `    ${f.key}: ${f.type}`).join("\n");
    if (optional.length === 0) return `class ${name}(TypedDict):\n${doc}\n\n${body(required)}`;
    if (required.length === 0) return `class ${name}(TypedDict, total=False):\n${doc}\n\n${body(optional)}`;
    return `class _${name}Required(TypedDict):\n${body(required)}\n\n\nclass ${name}(_${name}Required, total=False):\n${doc}\n\n${body(optional)}`;
  }
  const functional = (className: string, list: readonly Field[], total: boolean): string =>
    `${className} = TypedDict(${pythonString(className)}, {${list.map((f) => `${pythonString(f.key)}: ${f.type}`).join(", ")}}${total ? "" : ", total=False"})`;
  return [
    functional(`_${name}Required`, required, true),
    functional(`_${name}Optional`, optional, false),
    `\n\nclass ${name}(_${name}Required, _${name}Optional):\n${doc}`,
  ].join("\n");
}

function typeList(schema: JsonObject): string[] | undefined {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === "string");
  return undefined;
}

function literalType(values: readonly unknown[]): string | undefined {
  const literals = values.map(pythonLiteral);
  if (literals.length === 0 || literals.some((l) => l === undefined)) return undefined;
  const withoutNone = literals.filter((l) => l !== "None");
  const literal = withoutNone.length > 0 ? `Literal[${withoutNone.join(", ")}]` : "None";
  return withoutNone.length < literals.length && withoutNone.length > 0 ? optional(literal) : literal;
}

function optional(type: string): string {
  return type === "None" || type.startsWith("Optional[") || type === "JsonValue" || type === "JsonInput" ? type : `Optional[${type}]`;
}

/** A union of distinct members; any JSON swallows the rest. */
function union(members: readonly string[], flavour: Flavour): string {
  const distinct = [...new Set(members)];
  if (distinct.includes(ANY[flavour])) return ANY[flavour];
  if (distinct.length === 1) return distinct[0]!;
  const hasNone = distinct.includes("None");
  const rest = distinct.filter((m) => m !== "None");
  // int is a float to a type checker: Union[int, float] is float.
  const simplified = rest.includes("float") ? rest.filter((m) => m !== "int") : rest;
  const core = simplified.length === 1 ? simplified[0]! : `Union[${simplified.join(", ")}]`;
  return hasNone ? optional(core) : core;
}

function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}
