import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as polybridge from "../../sdk/src/gen/schemas.js";
import * as polymorphism from "./__snapshots__/polymorphism/schemas.js";
import * as tictactoe from "./__snapshots__/tictactoe/schemas.js";
import * as petstore from "./__snapshots__/petstore-expanded/schemas.js";
import { compileTs } from "./compileTs.js";

// Behaviour of the emitted zod schemas (the snapshots), case by case: [schema, value, valid?].
const cases: Array<[string, { safeParse(v: unknown): { success: boolean } }, unknown, boolean]> = [
  ["JobRequest map", polybridge.JobRequest, { kind: "map", function: "square", input: { items: [1, 2] } }, true],
  ["JobRequest unknown kind", polybridge.JobRequest, { kind: "sort", function: "square", input: { items: [] } }, false],
  ["JobRequest extra key (additionalProperties: false)", polybridge.JobRequest, { kind: "map", function: "square", input: { items: [] }, x: 1 }, false],
  ["JobRequest mapreduce needs reducer", polybridge.JobRequest, { kind: "mapreduce", function: "tokenize", input: { items: [] } }, false],
  ["Range step 0 (not: const 0)", polybridge.Range, { start: 0, end: 5, step: 0 }, false],
  ["Range negative step", polybridge.Range, { start: 5, end: 0, step: -1 }, true],
  ["FunctionName pattern", polybridge.FunctionName, "9bad", false],
  ["Problem closed code list", polybridge.Problem, { type: "t", title: "x", status: 400, code: "nope" }, false],
  ["Problem extra members allowed", polybridge.Problem, { type: "t", title: "x", status: 400, code: "invalid_json", extra: 1 }, true],
  ["JobList nextCursor null", polybridge.JobList, { jobs: [], nextCursor: null }, true],
  ["JobList nextCursor missing", polybridge.JobList, { jobs: [] }, false],
  ["MapReduceEntry length", polybridge.MapReduceEntry, ["a"], false],
  ["JobEvent progress", polybridge.JobEvent, { event: "progress", data: { jobId: "j", progress: { completedChunks: 1, totalChunks: 2, completedItems: 1, totalItems: 2 } } }, true],
  ["Health integer workers", polybridge.Health, { status: "ok", version: "1", uptimeSeconds: 1, workers: 1.5, jobs: { queued: 0, running: 0, stored: 0 } }, false],
  ["tictactoe board 3x3", tictactoe.board, [[".", "X", "O"], [".", ".", "."], ["O", "O", "X"]], true],
  ["tictactoe board bad mark", tictactoe.board, [[".", "Y", "O"], [".", ".", "."], ["O", "O", "X"]], false],
  ["tictactoe coordinate max", tictactoe.coordinate, 4, false],
  ["petstore Pet (allOf) needs id", petstore.Pet, { name: "rex" }, false],
  ["petstore Pet (allOf)", petstore.Pet, { name: "rex", id: 1 }, true],
  ["polymorphism Lizard via Reptile via Pet", polymorphism.Lizard, { petType: "Lizard", lovesRocks: true }, true],
  ["polymorphism Lizard without petType", polymorphism.Lizard, { lovesRocks: true }, false],
];

describe("emitted zod schemas", () => {
  it.each(cases)("%s", (_name, schema, value, valid) => {
    expect(schema.safeParse(value).success).toBe(valid);
  });
});

describe("compileTs", () => {
  it("reports type errors (so the compile test can fail)", async () => {
    const dir = join(fileURLToPath(new URL(".", import.meta.url)), "..", ".tmp", `compile-${process.pid}`);
    await mkdir(dir, { recursive: true });
    const file = join(dir, "bad.ts");
    await writeFile(file, 'import { z } from "zod";\nexport const n: number = z.string().parse("x");\n');
    try {
      expect(compileTs([file]).join("\n")).toMatch(/not assignable to type 'number'/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
