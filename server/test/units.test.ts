import { randomJobId } from "../src/engine/JobEngine.js";
import { describe, expect, it } from "vitest";
import { EventLog } from "@polybridge/core/engine";
import { ResultAccumulator } from "@polybridge/core/engine";
import { chunkSource, defaultChunkSize, rangeCount } from "@polybridge/core/engine";
import { compareKeys } from "@polybridge/core/engine";
import { runChunk, runCall } from "@polybridge/core/engine";
import builtins from "../src/functions/builtins.js";
import { FunctionRegistry } from "@polybridge/core/functions";
import { parseJsonBody } from "../src/http/parseJsonBody.js";
import { parsePrefer } from "@polybridge/core";
import { ProblemError } from "../src/ProblemError.js";

const registry = new FunctionRegistry(builtins);
const signal = new AbortController().signal;

describe("parsePrefer", () => {
  it.each([
    [undefined, { respondAsync: false }],
    ["respond-async", { respondAsync: true }],
    ["wait=5", { respondAsync: false, waitSeconds: 5 }],
    ["respond-async, wait=500", { respondAsync: true, waitSeconds: 60 }],
    ['wait="7"; foo', { respondAsync: false, waitSeconds: 7 }],
    ["wait=-1, handling=lenient", { respondAsync: false }],
    [["wait=3", "respond-async"], { respondAsync: true, waitSeconds: 3 }],
  ])("%s", (header, expected) => expect(parsePrefer(header, 60)).toEqual(expected));

  it("caps by each call's maximum, though answers are remembered per header text", () => {
    expect(parsePrefer("wait=50", 60)).toEqual({ respondAsync: false, waitSeconds: 50 });
    expect(parsePrefer("wait=50", 10)).toEqual({ respondAsync: false, waitSeconds: 10 });
    expect(parsePrefer("wait=50", 60)).toEqual({ respondAsync: false, waitSeconds: 50 });
    // More distinct headers than the memo keeps: each still parses.
    for (let n = 0; n < 600; n++) expect(parsePrefer(`wait=${n % 61}, x=${n}`, 60).waitSeconds).toBe(n % 61);
  });
});

describe("parseJsonBody", () => {
  it("parses and counts depth outside strings only", () => {
    expect(parseJsonBody('{"a":"[[[[[[","b":[1]}', 2)).toEqual({ a: "[[[[[[", b: [1] });
    expect(parseJsonBody('"\\"[[["', 1)).toBe('"[[[');
  });
  it("refuses deep nesting and bad JSON with problem codes", () => {
    expect(() => parseJsonBody("[[[1]]]", 2)).toThrow(expect.objectContaining({ code: "nesting_too_deep" }));
    expect(() => parseJsonBody("{", 2)).toThrow(ProblemError);
  });
  it("holds the limit whether brackets are few (counted) or many (scanned), mixed [ and {, in strings or not", () => {
    const nest = (depth: number): string => (depth === 0 ? "1" : depth % 2 ? `[${nest(depth - 1)}]` : `{"k":${nest(depth - 1)}}`);
    expect(parseJsonBody(nest(4), 4)).toEqual({ k: [{ k: [1] }] });
    expect(() => parseJsonBody(nest(5), 4)).toThrow(expect.objectContaining({ code: "nesting_too_deep" }));
    // Many brackets in all (in strings and side by side), none deeper than the limit: the full scan decides.
    const wide = JSON.stringify({ s: "[[[[{{{{", list: Array.from({ length: 50 }, (_, i) => [{ i }]) });
    expect(parseJsonBody(wide, 4)).toEqual(JSON.parse(wide));
    expect(() => parseJsonBody(JSON.stringify({ s: "{{{{", deep: [[[[1]]]] }), 4)).toThrow(expect.objectContaining({ code: "nesting_too_deep" }));
    expect(parseJsonBody(JSON.stringify(Array.from({ length: 100_000 }, (_, i) => i)), 1)).toHaveLength(100_000);
  });
});

describe("chunking", () => {
  it("counts ranges in both directions", () => {
    expect([rangeCount(0, 10, 3), rangeCount(10, 0, -3), rangeCount(5, 5, 1), rangeCount(5, 0, 1)]).toEqual([4, 4, 0, 0]);
  });
  it("slices items and ranges", () => {
    expect(chunkSource({ items: [1, 2, 3, 4, 5] }, 1, 2)).toEqual({ offset: 2, source: { items: [3, 4] } });
    expect(chunkSource({ range: { start: 10, step: -2, count: 5 } }, 2, 2)).toEqual({ offset: 4, source: { range: { start: 2, step: -2, count: 1 } } });
  });
  it("defaults to about four chunks per worker, at least one item, at most 100k", () => {
    expect([defaultChunkSize(0, 2), defaultChunkSize(80, 2), defaultChunkSize(1e9, 2)]).toEqual([1, 10, 100_000]);
  });
  it("gives cheap functions chunks of at least 1,024 items", () => {
    expect([defaultChunkSize(100, 2, true), defaultChunkSize(5_000, 2, true), defaultChunkSize(80_000, 2, true)]).toEqual([100, 1_024, 10_000]);
  });
  it("gives measured pool functions chunks of at least 2 ms of work, never fewer than four per worker for slow ones", () => {
    // 0.01 ms an item: 100 items are one chunk, 10,000 items chunks of 1,250 (the spread wins).
    expect([defaultChunkSize(100, 2, false, 0.01), defaultChunkSize(10_000, 2, false, 0.01)]).toEqual([100, 1_250]);
    // 5 ms an item: the spread (13 for 100 items on 2 workers), as without a measure.
    expect([defaultChunkSize(100, 2, false, 5), defaultChunkSize(100, 2, false)]).toEqual([13, 13]);
    // A cheap (inline) function ignores the measure.
    expect(defaultChunkSize(100, 2, true, 0.01)).toBe(100);
  });
});

describe("compareKeys", () => {
  it("puts numbers first, ascending, then strings by code unit", () => {
    expect(["b", 10, "B", 2, "a"].sort(compareKeys)).toEqual([2, 10, "B", "a", "b"]);
  });
});

describe("runChunk", () => {
  it("maps with global item indexes on failure", async () => {
    const out = await runChunk(registry, { kind: "map", fn: "fail", offset: 40, source: { items: [1, 2, "x"] } }, signal);
    expect(out).toEqual({ ok: false, itemIndex: 42, message: 'fail: "x"' });
  });
  it("returns map and filter outputs as JSON text, so the main thread only joins them", async () => {
    expect(await runChunk(registry, { kind: "map", fn: "echo", offset: 0, source: { items: [1, "a", null, { b: [2] }] } }, signal)).toEqual({
      ok: true, kind: "map", items: '1,"a",null,{"b":[2]}', count: 4,
    });
    expect(await runChunk(registry, { kind: "filter", fn: "isEven", offset: 0, source: { range: { start: 1, step: 2, count: 3 } } }, signal)).toEqual({
      ok: true, kind: "filter", items: "", count: 0,
    });
  });
  it("refuses a filter function that does not return a boolean", async () => {
    const out = await runChunk(registry, { kind: "filter", fn: "square", offset: 0, source: { items: [2] } }, signal);
    expect(out).toMatchObject({ ok: false, itemIndex: 0 });
  });
  it("reduces keyed pairs within a chunk", async () => {
    const out = await runChunk(registry, { kind: "mapreduce", fn: "tokenize", reducer: "sum", offset: 0, source: { items: ["a a", "b a"] } }, signal);
    expect(out).toEqual({ ok: true, kind: "mapreduce", entries: [["a", 3], ["b", 1]] });
  });
  it("folds a range with step and combine", async () => {
    const out = await runChunk(registry, { kind: "fold", fn: "countPrimes", offset: 0, source: { range: { start: 0, step: 1, count: 20 } } }, signal);
    expect(out).toEqual({ ok: true, kind: "fold", value: 8 });
  });
  it("calls a reducer as [acc, item]", async () => {
    expect(await runCall(registry, "wordFrequency", [{ a: 1 }, "a b"], signal)).toEqual({ ok: true, output: { a: 2, b: 1 } });
  });
});

describe("EventLog", () => {
  it("compacts consecutive progress, replays after an id, tells listeners when it closes", () => {
    const log = new EventLog();
    const seen: Array<number | null> = [];
    log.subscribe((e) => seen.push(e ? e.id : null));
    log.append("status", "1");
    log.append("progress", "2");
    log.append("progress", "3");
    log.append("status", "4");
    log.close();
    expect(log.since(0).map((e) => [e.id, e.data])).toEqual([[1, "1"], [3, "3"], [4, "4"]]);
    expect(log.since(3).map((e) => e.id)).toEqual([4]);
    expect(seen).toEqual([1, 2, 3, 4, null]);
  });
});

describe("FunctionRegistry", () => {
  it("rejects duplicate names and publishes JSON Schemas", () => {
    expect(() => new FunctionRegistry([...builtins, ...builtins])).toThrow(/defined twice/);
    expect(registry.info("tokenize")?.outputSchema).toMatchObject({ type: "array" });
    expect(registry.info("sha256")?.inputSchema).toMatchObject({ type: "object", required: ["data"] });
  });
});

describe("ResultAccumulator", () => {
  const sum = registry.get("sum");
  it("joins map chunks in input order whatever order they arrive in, skipping empty ones", () => {
    const acc = new ResultAccumulator("filter", undefined, 3);
    acc.add(2, { ok: true, kind: "filter", items: "8", count: 1 });
    acc.add(1, { ok: true, kind: "filter", items: "", count: 0 });
    acc.add(0, { ok: true, kind: "filter", items: '2,"x"', count: 2 });
    expect(JSON.parse(acc.toJson())).toEqual({ kind: "filter", items: [2, "x", 8] });
  });
  it("gives a map's chunk texts as they came, in order, never joined into one string", () => {
    const acc = new ResultAccumulator("map", undefined, 3);
    const texts = ["1,4", "9", "16,25"];
    acc.add(2, { ok: true, kind: "map", items: texts[2]!, count: 2 });
    acc.add(0, { ok: true, kind: "map", items: texts[0]!, count: 2 });
    acc.add(1, { ok: true, kind: "map", items: texts[1]!, count: 1 });
    expect(acc.toPieces()).toEqual(['{"kind":"map","items":[', "1,4", ",", "9", ",", "16,25", "]}"]);
    expect(acc.toPieces().join("")).toBe(acc.toJson());
  });
  it("combines fold partials and mapreduce pairs per key with the reducer, keys sorted", () => {
    if (sum?.kind !== "reducer") throw new Error("sum is a reducer");
    const fold = new ResultAccumulator("fold", sum, 2);
    fold.add(1, { ok: true, kind: "fold", value: 5 });
    fold.add(0, { ok: true, kind: "fold", value: 7 });
    expect(JSON.parse(fold.toJson())).toEqual({ kind: "fold", value: 12 });
    const words = new ResultAccumulator("mapreduce", sum, 2);
    words.add(0, { ok: true, kind: "mapreduce", entries: [["b", 1], [3, 1]] });
    words.add(1, { ok: true, kind: "mapreduce", entries: [["b", 2], ["a", 1]] });
    expect(JSON.parse(words.toJson())).toEqual({ kind: "mapreduce", entries: [[3, 1], ["a", 1], ["b", 3]] });
  });
});

describe("randomJobId", () => {
  it("gives job_ and 32 hex digits, never the same twice across refills of its pool", () => {
    const ids = Array.from({ length: 10_000 }, () => randomJobId());
    expect(ids.every((id) => /^job_[0-9a-f]{32}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
