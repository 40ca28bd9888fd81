import { describe, expect, it } from "vitest";
import { compileOrder } from "../src/compileOrder.js";
import { generateBody, paddedJobBody } from "../src/generateBody.js";
import { getPath } from "../src/getPath.js";
import { interpolate } from "../src/interpolate.js";
import { expandRange, matchValue } from "../src/matchValue.js";

// [description, expected, actual, matches?]
const table: Array<[string, unknown, unknown, boolean]> = [
  ["equal scalars", 3, 3, true],
  ["different scalars", 3, 4, false],
  ["number is not string", 3, "3", false],
  ["null", null, null, true],
  ["object subset: extra actual keys are fine", { a: 1 }, { a: 1, b: 2 }, true],
  ["object subset: missing key", { a: 1, c: 3 }, { a: 1 }, false],
  ["nested subset", { a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2, d: 0 }], e: 1 } }, true],
  ["arrays need equal length", [1, 2], [1, 2, 3], false],
  ["arrays are ordered", [1, 2], [2, 1], false],
  ["object vs array", { a: 1 }, [1], false],
  ["$any present", { a: { $any: true } }, { a: null }, true],
  ["$any missing", { a: { $any: true } }, {}, false],
  ["$absent missing", { a: { $absent: true } }, { b: 1 }, true],
  ["$absent present", { a: { $absent: true } }, { a: 0 }, false],
  ["$type integer", { $type: "integer" }, 4, true],
  ["$type integer rejects float", { $type: "integer" }, 4.5, false],
  ["$type number accepts integer", { $type: "number" }, 4, true],
  ["$type list", { $type: ["string", "null"] }, null, true],
  ["$type array is not object", { $type: "object" }, [], false],
  ["$eq is exact (no subset)", { $eq: { a: 1 } }, { a: 1, b: 2 }, false],
  ["$eq deep", { $eq: { a: [1, { b: 2 }] } }, { a: [1, { b: 2 }] }, true],
  ["$length number", { $length: 2 }, [1, 2], true],
  ["$length matcher", { $length: { $gte: 3 } }, "ab", false],
  ["$length of a number", { $length: 1 }, 1, false],
  ["$pattern", { $pattern: "^/v1/jobs/[^/]+$" }, "/v1/jobs/j1", true],
  ["$pattern non-string", { $pattern: "1" }, 1, false],
  ["$gte/$lt together", { $gte: 1, $lt: 3 }, 3, false],
  ["$gt", { $gt: 1 }, 2, true],
  ["$lte", { $lte: 1 }, 1, true],
  ["$oneOf", { $oneOf: ["accepted", "running"] }, "running", true],
  ["$oneOf miss", { $oneOf: ["accepted", "running"] }, "failed", false],
  ["$not", { $not: "a" }, "b", true],
  ["$not miss", { $not: "a" }, "a", false],
  ["$contains subset element", { $contains: { id: "b" } }, [{ id: "a" }, { id: "b", x: 1 }], true],
  ["$contains miss", { $contains: { id: "c" } }, [{ id: "a" }], false],
  ["$containsAll", { $containsAll: [1, 3] }, [3, 2, 1], true],
  ["$containsAll miss", { $containsAll: [1, 4] }, [3, 2, 1], false],
  ["$each", { $each: { ok: true } }, [{ ok: true }, { ok: true, x: 1 }], true],
  ["$each miss", { $each: { ok: true } }, [{ ok: true }, { ok: false }], false],
  ["$each on empty", { $each: { ok: true } }, [], true],
  ["$unordered", { $unordered: [1, 2, 3] }, [3, 1, 2], true],
  ["$unordered length", { $unordered: [1, 2] }, [1, 2, 2], false],
  ["$sortedBy key", { $sortedBy: "name" }, [{ name: "a" }, { name: "b" }, { name: "b" }], true],
  ["$sortedBy key unsorted", { $sortedBy: "name" }, [{ name: "b" }, { name: "a" }], false],
  ["$sortedBy code units: Z before a", { $sortedBy: "" }, ["Z", "a", "é"], true],
  ["$range", { $range: { start: 5, end: 0, step: -2 } }, [5, 3, 1], true],
  ["$range miss", { $range: { start: 0, end: 3 } }, [0, 1], false],
];

describe("matchValue", () => {
  it.each(table)("%s", (_name, expected, actual, ok) => {
    const mismatches = matchValue(expected, actual);
    expect(mismatches.length === 0).toBe(ok);
  });

  it("names the JSON Pointer of each mismatch", () => {
    expect(matchValue({ a: { b: [1, 2] } }, { a: { b: [1, 3] } })).toEqual(["/a/b/1: expected 2, got 3"]);
    expect(matchValue({ job: { status: "successful" } }, { job: {} })).toEqual(['/job/status: missing (expected "successful")']);
  });

  it("reports an unknown matcher instead of ignoring it", () => {
    expect(matchValue({ $bogus: 1 }, 1)).toEqual(["/: unknown matcher $bogus"]);
  });
});

describe("expandRange", () => {
  it("follows the protocol's Range: end excluded, default step 1, negative steps, empty ranges", () => {
    expect(expandRange({ start: 1, end: 5 })).toEqual([1, 2, 3, 4]);
    expect(expandRange({ start: 0, end: 10, step: 3 })).toEqual([0, 3, 6, 9]);
    expect(expandRange({ start: 3, end: 3 })).toEqual([]);
    expect(expandRange({ start: 0, end: 5, step: -1 })).toEqual([]);
    expect(() => expandRange({ start: 0, end: 5, step: 0 })).toThrow(/bad \$range/);
  });
});

describe("interpolate", () => {
  const vars = { id: "j1", n: 3, job: { id: "j2", items: [1, 2] } };

  it("keeps the raw value of a whole-string variable and splices into text", () => {
    expect(interpolate({ a: "${n}", b: "/v1/jobs/${job.id}/events", c: ["${job.items}"], d: 5 }, vars)).toEqual({
      a: 3, b: "/v1/jobs/j2/events", c: [[1, 2]], d: 5,
    });
    expect(interpolate("items=${job.items}", vars)).toBe("items=[1,2]");
  });

  it("throws on unknown variables and empty paths", () => {
    expect(() => interpolate("${nope}", vars)).toThrow(/unknown variable \$\{nope\}/);
    expect(() => interpolate("${job.missing}", vars)).toThrow(/has no value/);
  });
});

describe("getPath", () => {
  it("reads dotted paths with negative indexes", () => {
    const v = { events: [{ id: "1" }, { id: "2" }] };
    expect(getPath(v, "events.-1.id")).toBe("2");
    expect(getPath(v, "events.0.id")).toBe("1");
    expect(getPath(v, "events.x")).toBeUndefined();
    expect(getPath(v, "")).toBe(v);
  });
});

describe("generateBody", () => {
  it("expands $fill and $nest", () => {
    expect(generateBody({ items: { $fill: { length: 3, value: 0 } } })).toEqual({ items: [0, 0, 0] });
    expect(generateBody([{ $nest: { depth: 3, leaf: "x" } }])).toEqual([[[["x"]]]]);
  });

  it("pads a valid JSON job body to an exact size", () => {
    const body = paddedJobBody(1000);
    expect(Buffer.byteLength(body)).toBe(1000);
    expect(JSON.parse(body)).toMatchObject({ kind: "map", function: "echo" });
  });
});

describe("compileOrder", () => {
  const order = compileOrder("status (status|progress)* result status");

  it("accepts the protocol's event orders", () => {
    expect(order(["status", "result", "status"])).toBe(true);
    expect(order(["status", "status", "progress", "progress", "result", "status"])).toBe(true);
  });

  it("rejects wrong orders", () => {
    expect(order(["status", "progress", "status"])).toBe(false);
    expect(order(["progress", "result", "status"])).toBe(false);
    expect(order(["status", "result", "status", "progress"])).toBe(false);
    expect(compileOrder("status progress+")(["status"])).toBe(false);
    expect(compileOrder("status error?")(["status"])).toBe(true);
  });

  it("rejects a malformed pattern", () => {
    expect(() => compileOrder("status [x]")).toThrow(/bad event order token/);
  });
});
