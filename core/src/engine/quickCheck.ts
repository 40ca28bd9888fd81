import type { z } from "zod";

/** The parts of a zod 4 schema's definition read here (zod's internals, stable across 4.x). */
interface Def {
  type?: string;
  coerce?: boolean;
  format?: string;
  check?: string;
  checks?: { _zod: { def: CheckDef } }[];
}
interface CheckDef {
  check?: string;
  value?: unknown;
  inclusive?: boolean;
  format?: string;
}

/** A test that only ever says "valid" of a value the schema accepts unchanged. */
export type QuickCheck = (value: unknown) => boolean;

/**
 * A plain predicate standing in for a zod schema on the values it surely accepts as they are: a
 * `safeParse` allocates a few objects per value, and a chunk validates every listed item (a
 * quarter of what a small job allocated). Known shapes only — `z.unknown()`, `z.boolean()`,
 * `z.string()`, `z.number()`/`z.int()` with `min`/`max`/`gt`/`lt` bounds, none coerced; anything
 * else (refinements, transforms, defaults, other checks) gets `undefined` and stays with zod. A
 * value the predicate refuses still goes to zod, which words the error.
 *
 * @example
 * quickCheck(z.int().min(0))?.(3); // true
 * quickCheck(z.number().refine((n) => n > 0)); // undefined
 */
export function quickCheck(schema: z.ZodType): QuickCheck | undefined {
  const def = (schema as unknown as { _zod?: { def?: Def } })._zod?.def;
  if (!def || def.coerce) return undefined;
  const extra = def.checks ?? [];
  switch (def.type) {
    case "unknown":
    case "any":
      return extra.length === 0 ? () => true : undefined;
    case "boolean":
      return extra.length === 0 ? (v) => typeof v === "boolean" : undefined;
    case "string":
      return extra.length === 0 ? (v) => typeof v === "string" : undefined;
    case "number":
      return numberCheck(def, extra.map((c) => c._zod.def));
    default:
      return undefined;
  }
}

function numberCheck(def: Def, extra: CheckDef[]): QuickCheck | undefined {
  let integer = false;
  if (def.format !== undefined) {
    if (def.format !== "safeint") return undefined;
    integer = true;
  }
  let min = -Infinity;
  let minIncl = true;
  let max = Infinity;
  let maxIncl = true;
  for (const c of extra) {
    if (c.check === "number_format" && c.format === "safeint") integer = true;
    else if (c.check === "greater_than" && typeof c.value === "number") {
      // Every bound holds: the tightest one decides.
      if (c.value > min || (c.value === min && c.inclusive !== true)) [min, minIncl] = [c.value, c.inclusive === true];
    } else if (c.check === "less_than" && typeof c.value === "number") {
      if (c.value < max || (c.value === max && c.inclusive !== true)) [max, maxIncl] = [c.value, c.inclusive === true];
    } else return undefined;
  }
  return (v) =>
    typeof v === "number" &&
    (integer ? Number.isSafeInteger(v) : Number.isFinite(v)) &&
    (minIncl ? v >= min : v > min) &&
    (maxIncl ? v <= max : v < max);
}
