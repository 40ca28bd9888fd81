import { describe, expect, it } from "vitest";
import { problemTable } from "../src/msw/emitErrorStatuses.js";

const doc = (problems: unknown) => ({ openapi: "3.1.0", components: { schemas: { ErrorCode: { type: "string", enum: ["a_b", "c"], "x-problems": problems } } } });

describe("problemTable (ErrorCode x-problems)", () => {
  it("reads each code's status, title and whether it is job-only", () => {
    const table = problemTable(doc({ a_b: { status: 400, title: "A b" }, c: { status: 504, title: "C", job: true } }));
    expect(Object.fromEntries(table)).toEqual({ a_b: { status: 400, title: "A b", job: false }, c: { status: 504, title: "C", job: true } });
  });

  it("refuses a code without an entry and an entry without a code", () => {
    expect(() => problemTable(doc({ a_b: { status: 400, title: "A b" } }))).toThrow(/no status and title for 'c'/);
    expect(() => problemTable(doc({ a_b: { status: 400, title: "A" }, c: { status: 1, title: "C" }, zzz: { status: 400, title: "Z" } }))).toThrow(/not in its enum: zzz/);
  });
});
