import { describe, expectTypeOf, it } from "vitest";
import { createClient, PolybridgeError, type Client, type ErrorCode, type Job, type OperationId, type ServerErrorCode } from "@polybridge/sdk";
import type { Functions } from "./gen/functions.js";

const typed = createClient<Functions>({ baseUrl: "http://127.0.0.1:1" });
const untyped = createClient({ baseUrl: "http://127.0.0.1:1" });

describe("typed function calls (createClient<Functions>)", () => {
  it("types inputs and outputs from the catalogue", () => {
    expectTypeOf(typed.call("square", 3)).resolves.toEqualTypeOf<number>();
    expectTypeOf(typed.call("isPrime", 7)).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(typed.call("sha256", { data: "x" })).resolves.toEqualTypeOf<string>();
    expectTypeOf(typed.call("tokenize", "a b")).resolves.toEqualTypeOf<[string | number, number][]>();
  });

  it("takes [accumulator, item] for a reducer", () => {
    expectTypeOf(typed.call("sum", [1, 2])).resolves.toEqualTypeOf<number>();
    // @ts-expect-error a reducer does not take a bare item
    void typed.call("sum", 2);
  });

  it("rejects a wrong name or input at compile time", () => {
    // @ts-expect-error unknown function
    void typed.call("sqaure", 3);
    // @ts-expect-error square takes a number
    void typed.call("square", "3");
    // @ts-expect-error sha256 needs data
    void typed.call("sha256", { iterations: 2 });
  });

  it("accepts any name and unknown input without a catalogue", () => {
    expectTypeOf(untyped.call("anything", { x: 1 })).resolves.toEqualTypeOf<unknown>();
  });
});

describe("operations", () => {
  it("has a method for every operation of the contract", () => {
    expectTypeOf<Exclude<OperationId, keyof Client>>().toBeNever();
  });

  it("types results from the generated types", () => {
    expectTypeOf(untyped.getJob("j")).resolves.toEqualTypeOf<Job>();
    expectTypeOf(untyped.request("getHealth")).resolves.toHaveProperty("workers").toEqualTypeOf<number>();
    expectTypeOf(untyped.request("getJob", { path: { id: "j" } })).resolves.toEqualTypeOf<Job>();
    // @ts-expect-error getJob needs its path parameter
    void untyped.request("getJob");
    // @ts-expect-error status is a closed enum
    void untyped.jobs.list({ status: "done" });
  });

  it("narrows job results by request kind", async () => {
    const folded = await untyped.jobs.run({ kind: "fold", function: "sum", input: { range: { start: 0, end: 10 } } });
    expectTypeOf(folded.kind).toEqualTypeOf<"fold">();
    expectTypeOf(folded).toHaveProperty("value");
    const mapped = await untyped.jobs.run({ kind: "map", function: "square", input: { items: [1] } });
    expectTypeOf(mapped.items).toEqualTypeOf<unknown[]>();
    // @ts-expect-error mapreduce needs a reducer
    void untyped.jobs.run({ kind: "mapreduce", function: "tokenize", input: { items: [] } });
  });
});

describe("errors", () => {
  it("has a closed code union: the spec's codes plus the client's", () => {
    expectTypeOf<ServerErrorCode>().toExtend<ErrorCode>();
    expectTypeOf<"timeout" | "aborted" | "network" | "response_invalid">().toExtend<ErrorCode>();
    expectTypeOf<"teapot">().not.toExtend<ErrorCode>();
    expectTypeOf(PolybridgeError.from(new Error("x"))).toEqualTypeOf<PolybridgeError>();
    expectTypeOf<PolybridgeError["status"]>().toEqualTypeOf<number | undefined>();
  });

  it("narrows with PolybridgeError.is", () => {
    const e: unknown = undefined;
    if (PolybridgeError.is(e, "queue_full", "shutting_down")) expectTypeOf(e.code).toEqualTypeOf<"queue_full" | "shutting_down">();
  });
});
