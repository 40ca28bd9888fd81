// Jobs typed by the catalogue: with `createClient<Functions>()` a job request must fit the
// function's kind and input, and its result is typed; without a catalogue nothing changes.
// Compiled by typeTests.test.ts: every `@ts-expect-error` below must be an error, and every
// `expectTypeOf` must hold, or `vitest run sdk/test` fails.
import { describe, expectTypeOf, it } from "vitest";
import {
  createClient,
  type Client,
  type JobEvent,
  type JobEventOf,
  type JobHandle,
  type JobRequest,
  type JobRequestOf,
  type JobResult,
  type TypedFilterResult,
  type TypedFoldResult,
  type TypedMapReduceResult,
  type TypedMapResult,
} from "@polybridge/sdk";
import type { Functions } from "./gen/functions.js";

const typed = createClient<Functions>({ baseUrl: "http://127.0.0.1:1" });
const untyped = createClient({ baseUrl: "http://127.0.0.1:1" });
declare const looseRequest: JobRequest;
type MapResult = Extract<JobResult, { kind: "map" }>;
type FoldResult = Extract<JobResult, { kind: "fold" }>;

// Type-level only: nothing here is ever sent.
describe("map (typed)", () => {
  it("takes a unary function with items of its input type; items are its outputs", () => {
    expectTypeOf(typed.jobs.run({ kind: "map", function: "square", input: { items: [1, 2, 3] } })).resolves.toEqualTypeOf<TypedMapResult<number>>();
    expectTypeOf(typed.jobs.run({ kind: "map", function: "isEven", input: { items: [1] } })).resolves.toEqualTypeOf<{ kind: "map"; items: boolean[] }>();
    expectTypeOf(typed.jobs.run({ kind: "map", function: "sha256", input: { items: [{ data: "x" }, { data: "y", iterations: 2 }] } })).resolves.toEqualTypeOf<TypedMapResult<string>>();
    expectTypeOf(typed.jobs.run({ kind: "map", function: "echo", input: { items: ["x", 1, null] } })).resolves.toEqualTypeOf<TypedMapResult<unknown>>();
    expectTypeOf(typed.jobs.run({ kind: "map", function: "square", input: { items: [] } })).resolves.toEqualTypeOf<TypedMapResult<number>>();
  });

  it("takes a range where the input is a number (JSON Schema integer or number) or untyped", () => {
    expectTypeOf(typed.jobs.run({ kind: "map", function: "square", input: { range: { start: 0, end: 10 } } })).resolves.toEqualTypeOf<TypedMapResult<number>>();
    expectTypeOf(typed.jobs.run({ kind: "map", function: "isPrime", input: { range: { start: 0, end: 10, step: 2 } } })).resolves.toEqualTypeOf<TypedMapResult<boolean>>();
    expectTypeOf(typed.jobs.run({ kind: "map", function: "echo", input: { range: { start: 0, end: 10 } } })).resolves.toEqualTypeOf<TypedMapResult<unknown>>();
  });

  it("rejects an unknown name, another kind, a wrong item type and a range over non-numbers", () => {
    // @ts-expect-error unknown function (the issue's example: a typo and string items)
    void typed.jobs.run({ kind: "map", function: "sqaure", input: { items: ["x", "y"] } });
    // @ts-expect-error unknown function, right items
    void typed.jobs.run({ kind: "map", function: "sqaure", input: { items: [1] } });
    // @ts-expect-error square takes numbers
    void typed.jobs.run({ kind: "map", function: "square", input: { items: ["x", "y"] } });
    // @ts-expect-error sha256 takes { data }
    void typed.jobs.run({ kind: "map", function: "sha256", input: { items: [{ iterations: 2 }] } });
    // @ts-expect-error sum is a reducer, not unary
    void typed.jobs.run({ kind: "map", function: "sum", input: { items: [1] } });
    // @ts-expect-error tokenize is an emitter, not unary
    void typed.jobs.run({ kind: "map", function: "tokenize", input: { items: ["a b"] } });
    // @ts-expect-error sha256 takes objects: no range
    void typed.jobs.run({ kind: "map", function: "sha256", input: { range: { start: 0, end: 10 } } });
    // @ts-expect-error a range needs an end
    void typed.jobs.run({ kind: "map", function: "square", input: { range: { start: 0 } } });
  });
});

describe("filter (typed)", () => {
  it("takes a unary boolean function; items are its inputs", () => {
    expectTypeOf(typed.jobs.run({ kind: "filter", function: "isPrime", input: { range: { start: 0, end: 100 } } })).resolves.toEqualTypeOf<TypedFilterResult<number>>();
    expectTypeOf(typed.jobs.run({ kind: "filter", function: "isEven", input: { items: [1, 2] } })).resolves.toEqualTypeOf<{ kind: "filter"; items: number[] }>();
    // echo's output is untyped, so it may be a boolean.
    expectTypeOf(typed.jobs.run({ kind: "filter", function: "echo", input: { items: [true, false] } })).resolves.toEqualTypeOf<TypedFilterResult<unknown>>();
  });

  it("rejects a function of another kind, one that does not answer a boolean, and wrong items", () => {
    // @ts-expect-error square answers a number, a filter needs a boolean
    void typed.jobs.run({ kind: "filter", function: "square", input: { items: [1] } });
    // @ts-expect-error countPrimes is a reducer
    void typed.jobs.run({ kind: "filter", function: "countPrimes", input: { items: [1] } });
    // @ts-expect-error tokenize is an emitter
    void typed.jobs.run({ kind: "filter", function: "tokenize", input: { items: ["a"] } });
    // @ts-expect-error isPrime takes numbers
    void typed.jobs.run({ kind: "filter", function: "isPrime", input: { items: ["7"] } });
    // @ts-expect-error unknown function
    void typed.jobs.run({ kind: "filter", function: "isPrme", input: { items: [7] } });
  });
});

describe("fold (typed)", () => {
  it("takes a reducer with items of its input type; the value is its output", () => {
    expectTypeOf(typed.jobs.run({ kind: "fold", function: "sum", input: { range: { start: 1, end: 101 } } })).resolves.toEqualTypeOf<TypedFoldResult<number>>();
    expectTypeOf(typed.jobs.run({ kind: "fold", function: "countPrimes", input: { items: [2, 3, 4] } })).resolves.toEqualTypeOf<{ kind: "fold"; value: number }>();
    expectTypeOf(typed.jobs.run({ kind: "fold", function: "wordFrequency", input: { items: ["a b", "b"] } })).resolves.toEqualTypeOf<TypedFoldResult<{ [key: string]: number }>>();
  });

  it("rejects a unary function (the issue's example), an emitter, wrong items and a range over strings", () => {
    // @ts-expect-error square is unary, a fold needs a reducer
    void typed.jobs.run({ kind: "fold", function: "square", input: { items: [1, 2] } });
    // @ts-expect-error tokenize is an emitter
    void typed.jobs.run({ kind: "fold", function: "tokenize", input: { items: ["a"] } });
    // @ts-expect-error sum folds numbers
    void typed.jobs.run({ kind: "fold", function: "sum", input: { items: ["1", "2"] } });
    // @ts-expect-error wordFrequency folds strings: no range
    void typed.jobs.run({ kind: "fold", function: "wordFrequency", input: { range: { start: 0, end: 3 } } });
    // @ts-expect-error unknown function
    void typed.jobs.run({ kind: "fold", function: "total", input: { items: [1] } });
  });
});

describe("mapreduce (typed)", () => {
  it("takes an emitter plus a reducer of its values; entries are [emitter key, reducer value]", () => {
    expectTypeOf(typed.jobs.run({ kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a b a", "b c"] } })).resolves.toEqualTypeOf<
      TypedMapReduceResult<string | number, number>
    >();
    expectTypeOf(typed.jobs.run({ kind: "mapreduce", function: "tokenize", reducer: "countPrimes", input: { items: ["a"] } })).resolves.toEqualTypeOf<{
      kind: "mapreduce";
      entries: [string | number, number][];
    }>();
  });

  it("rejects a missing or non-reducer reducer, a reducer of other values, a non-emitter, wrong items", () => {
    // @ts-expect-error mapreduce needs a reducer
    void typed.jobs.run({ kind: "mapreduce", function: "tokenize", input: { items: ["a"] } });
    // @ts-expect-error square is unary, not a reducer
    void typed.jobs.run({ kind: "mapreduce", function: "tokenize", reducer: "square", input: { items: ["a"] } });
    // @ts-expect-error tokenize emits numbers, wordFrequency folds strings
    void typed.jobs.run({ kind: "mapreduce", function: "tokenize", reducer: "wordFrequency", input: { items: ["a"] } });
    // @ts-expect-error unknown reducer
    void typed.jobs.run({ kind: "mapreduce", function: "tokenize", reducer: "summ", input: { items: ["a"] } });
    // @ts-expect-error square is unary, not an emitter
    void typed.jobs.run({ kind: "mapreduce", function: "square", reducer: "sum", input: { items: [1] } });
    // @ts-expect-error sum is a reducer, not an emitter
    void typed.jobs.run({ kind: "mapreduce", function: "sum", reducer: "sum", input: { items: [1] } });
    // @ts-expect-error tokenize takes strings
    void typed.jobs.run({ kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: [1] } });
    // @ts-expect-error tokenize takes strings: no range
    void typed.jobs.run({ kind: "mapreduce", function: "tokenize", reducer: "sum", input: { range: { start: 0, end: 3 } } });
  });
});

describe("jobs.submit, JobHandle.result() and the events iterator (typed)", () => {
  it("types the handle, its result and its result event", async () => {
    const handle = await typed.jobs.submit({ kind: "fold", function: "sum", input: { items: [1, 2] } }, { waitSeconds: 5 });
    expectTypeOf(handle).toEqualTypeOf<JobHandle<TypedFoldResult<number>>>();
    expectTypeOf(handle.result()).resolves.toEqualTypeOf<TypedFoldResult<number>>();
    expectTypeOf(handle.result()).resolves.toHaveProperty("value").toEqualTypeOf<number>();
    for await (const event of handle.events()) {
      expectTypeOf(event).toEqualTypeOf<JobEventOf<TypedFoldResult<number>>>();
      if (event.event === "result") expectTypeOf(event.data).toEqualTypeOf<TypedFoldResult<number>>();
      if (event.event === "progress") expectTypeOf(event.data.progress.completedItems).toEqualTypeOf<number>();
    }
    const words = await typed.jobs.submit({ kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: ["a b"] } });
    expectTypeOf(words.result()).resolves.toEqualTypeOf<TypedMapReduceResult<string | number, number>>();
    for await (const event of words.events()) if (event.event === "result") expectTypeOf(event.data.entries).toEqualTypeOf<[string | number, number][]>();
    // submitJob is jobs.submit.
    expectTypeOf(typed.submitJob({ kind: "map", function: "sha256", input: { items: [{ data: "x" }] } })).resolves.toEqualTypeOf<JobHandle<TypedMapResult<string>>>();
  });

  it("rejects the same requests as run", () => {
    // @ts-expect-error square is unary, a fold needs a reducer
    void typed.jobs.submit({ kind: "fold", function: "square", input: { items: [1] } });
    // @ts-expect-error square takes numbers
    void typed.jobs.submit({ kind: "map", function: "square", input: { items: ["1"] } });
    // @ts-expect-error unknown function
    void typed.submitJob({ kind: "map", function: "sqaure", input: { items: [1] } });
    // @ts-expect-error tokenize emits numbers, wordFrequency folds strings
    void typed.submitJob({ kind: "mapreduce", function: "tokenize", reducer: "wordFrequency", input: { items: ["a"] } });
  });

  it("accepts a request built ahead with JobRequestOf<Functions>, and not a loose JobRequest", () => {
    const request = { kind: "map", function: "square", input: { items: [7] } } satisfies JobRequestOf<Functions>;
    expectTypeOf(typed.jobs.run(request)).resolves.toEqualTypeOf<TypedMapResult<number>>();
    // @ts-expect-error a JobRequest names any function with any items
    void typed.jobs.run(looseRequest);
  });
});

describe("without a catalogue (createClient())", () => {
  it("accepts any request, as before", () => {
    expectTypeOf<JobRequestOf<Record<string, { kind: "unary"; input: unknown; output: unknown }>>>().toEqualTypeOf<JobRequest>();
    // The examples compile, and the server is what says no.
    expectTypeOf(untyped.jobs.run({ kind: "map", function: "sqaure", input: { items: ["x", "y"] } })).resolves.toEqualTypeOf<MapResult>();
    expectTypeOf(untyped.jobs.run({ kind: "fold", function: "square", input: { range: { start: 0, end: 3 } } })).resolves.toEqualTypeOf<FoldResult>();
    expectTypeOf(untyped.jobs.run({ kind: "mapreduce", function: "x", reducer: "y", input: { items: [{}] } })).resolves.toHaveProperty("entries").toEqualTypeOf<unknown[][]>();
    expectTypeOf(untyped.jobs.run(looseRequest)).resolves.toEqualTypeOf<JobResult>();
    expectTypeOf(untyped.jobs.submit(looseRequest)).resolves.toEqualTypeOf<JobHandle<JobResult>>();
    // Only the contract's own rules apply.
    // @ts-expect-error mapreduce needs a reducer
    void untyped.jobs.run({ kind: "mapreduce", function: "tokenize", input: { items: [] } });
  });

  it("types handles, results and events as before", async () => {
    const handle = await untyped.jobs.submit({ kind: "map", function: "square", input: { items: [1] } });
    expectTypeOf(handle).toEqualTypeOf<JobHandle<MapResult>>();
    expectTypeOf(handle.result()).resolves.toEqualTypeOf<MapResult>();
    // The result event of a map job's handle carries a MapResult; every other event is a JobEvent.
    for await (const event of handle.events()) {
      if (event.event === "result") expectTypeOf(event.data).toEqualTypeOf<MapResult>();
      else expectTypeOf(event).toExtend<JobEvent>();
    }
    // JobEventOf<JobResult> (what a JobHandle without a result type yields) is JobEvent, both ways.
    expectTypeOf<JobEventOf>().toExtend<JobEvent>();
    expectTypeOf<JobEvent>().toExtend<JobEventOf>();
    expectTypeOf(untyped.submitJob({ kind: "fold", function: "sum", input: { items: [1] } })).resolves.toEqualTypeOf<JobHandle<FoldResult>>();
    expectTypeOf(untyped.jobs.events("j")).toEqualTypeOf<AsyncGenerator<JobEvent, void, undefined>>();
  });

  it("relates handles and clients", () => {
    // Handles are covariant in their result: any handle is a JobHandle.
    const handles: JobHandle[] = [];
    void typed.jobs.submit({ kind: "map", function: "square", input: { items: [1] } }).then((h) => handles.push(h));
    void untyped.jobs.submit({ kind: "fold", function: "sum", input: { items: [1] } }).then((h) => handles.push(h));
    // A client of any catalogue is a Client<any>; a typed client is not a plain (untyped) Client,
    // whose jobs take requests the catalogue rules out.
    const anyClient: Client<any> = typed;
    // @ts-expect-error jobs.run of a typed client does not take every JobRequest
    const plain: Client = typed;
    void [anyClient, plain];
  });
});
