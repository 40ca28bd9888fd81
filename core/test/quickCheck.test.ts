import { quickCheck } from "../src/engine/quickCheck.js";
import { z } from "zod";
import { expect, it } from "vitest";

const values: unknown[] = [0, -0, 1, -1, 2.5, -7.25, 10_000, 10_001, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1e300, Infinity, -Infinity, NaN, "", "3", "abc", true, false, null, undefined, [], [1], {}, { a: 1 }];

it.each([
  ["z.number()", z.number()],
  ["z.int()", z.int()],
  ["z.number().int()", z.number().int()],
  ["z.int().min(0).max(10_000)", z.int().min(0).max(10_000)],
  ["z.number().gt(0).lte(5)", z.number().gt(0).lte(5)],
  ["z.number().positive()", z.number().positive()],
  ["z.number().nonnegative().lt(3)", z.number().nonnegative().lt(3)],
  ["z.number().min(1).min(-5)", z.number().min(1).min(-5)],
  ["z.string()", z.string()],
  ["z.boolean()", z.boolean()],
  ["z.unknown()", z.unknown()],
  ["z.any()", z.any()],
])("%s: says valid exactly when zod accepts the value unchanged", (_name, schema: z.ZodType) => {
  const quick = quickCheck(schema);
  expect(quick).toBeTypeOf("function");
  for (const value of values) {
    const parsed = schema.safeParse(value);
    const zodSays = parsed.success && Object.is(parsed.data, value);
    expect(quick!(value), String(value)).toBe(zodSays);
  }
});

it.each([
  ["a refinement", z.number().refine((n) => n > 0)],
  ["a transform", z.number().transform((n) => n * 2)],
  ["a default", z.number().default(1)],
  ["coercion", z.coerce.number()],
  ["a string check", z.string().min(2)],
  ["multipleOf", z.number().multipleOf(3)],
  ["an int32 format", z.int32()],
  ["an object", z.object({ a: z.number() })],
  ["an optional", z.number().optional()],
])("leaves %s to zod", (_name, schema: z.ZodType) => {
  expect(quickCheck(schema)).toBeUndefined();
});
