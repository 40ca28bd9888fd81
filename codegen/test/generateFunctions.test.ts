import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { generateFunctions } from "@polybridge/codegen";
import { compileTs } from "./compileTs.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const tmp = join(here, "..", ".tmp", `functions-${process.pid}`);
// A `GET /v1/functions` answer saved from the reference server.
const catalogue = join(here, "fixtures", "catalogue.json");

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("generateFunctions", () => {
  it("turns a saved catalogue into a Functions type map (snapshot)", async () => {
    const out = join(tmp, "functions.ts");
    const result = await generateFunctions({ from: catalogue, out });
    expect(result.written).toEqual([out]);
    await expect(await readFile(out, "utf8")).toMatchFileSnapshot(join("__snapshots__", "functions", "functions.ts"));
  });

  it("fetches the catalogue from a server URL and writes the same file", async () => {
    const body = await readFile(catalogue, "utf8");
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const out = join(tmp, "from-url");
      const result = await generateFunctions({ from: `http://127.0.0.1:${port}/`, out });
      expect(seen).toEqual(["/v1/functions"]);
      const fromFile = await generateFunctions({ from: catalogue, out: join(tmp, "from-file") });
      expect(await readFile(result.written[0] ?? "", "utf8")).toBe(await readFile(fromFile.written[0] ?? "", "utf8"));
      expect((await generateFunctions({ from: catalogue, out, check: true })).drifted).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("makes wrong names and inputs fail to compile", async () => {
    await mkdir(tmp, { recursive: true });
    await generateFunctions({ from: catalogue, out: join(tmp, "functions.ts") });
    const use = join(tmp, "use.ts");
    await writeFile(
      use,
      [
        'import type { Functions } from "./functions.js";',
        "type In<N extends keyof Functions> = Functions[N][\"input\"];",
        "type Out<N extends keyof Functions> = Functions[N][\"output\"];",
        'export const a: In<"square"> = 3;',
        'export const b: Out<"isPrime"> = true;',
        'export const c: In<"sha256"> = { data: "x" };',
        'export const d: Functions["sum"]["kind"] = "reducer";',
        '// @ts-expect-error square takes a number',
        'export const e: In<"square"> = "3";',
        '// @ts-expect-error no such function',
        'export type F = In<"sqaure">;',
      ].join("\n"),
    );
    expect(compileTs([use])).toEqual([]);
  });

  it("rejects something that is not a catalogue", async () => {
    await mkdir(tmp, { recursive: true });
    const bad = join(tmp, "bad.json");
    await writeFile(bad, JSON.stringify({ functions: [{ name: "x", kind: "sideways" }] }));
    await expect(generateFunctions({ from: bad, out: join(tmp, "never.ts") })).rejects.toThrow(/kind \(unary \| reducer \| emitter\)/);
  });
});
