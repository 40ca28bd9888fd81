// generatePythonClient on catalogues no real server here serves: odd names (dashes, keywords,
// digits, collisions, dunders), keys that are not identifiers, enums with null, anyOf, 3.0's
// nullable, recursive $refs, tuples, maps, an empty catalogue and one with a single job signature.
// Each module must import under /usr/bin/python3 and pass Debian's mypy --strict together with a
// usage file that calls what the catalogue allows (and, as needed ignores, what it refuses).
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePythonClient } from "../src/index.js";

const ensureMypy = fileURLToPath(new URL("../../scripts/ensure-mypy.sh", import.meta.url));
const PYTHON = "/usr/bin/python3";

const tree = { type: "object", properties: { label: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Tree" } } }, required: ["label"] };
const ODD = {
  functions: [
    {
      name: "my-fn",
      kind: "unary",
      description: 'Takes "odd" keys """ and \\ backslashes.',
      inputSchema: {
        type: "object",
        required: ["first-name"],
        properties: {
          "first-name": { type: "string", description: "Given name." },
          class: { type: "integer" },
          nested: { type: "object", properties: { mode: { enum: ["x", "y", null] } } },
        },
      },
      outputSchema: { anyOf: [{ type: "string" }, { type: "null" }] },
    },
    { name: "my_fn", kind: "unary", inputSchema: { type: ["integer", "null"] }, outputSchema: { $ref: "#/$defs/Tree", $defs: { Tree: tree } } },
    { name: "class", kind: "unary", inputSchema: { const: 3 }, outputSchema: { type: "boolean" } },
    {
      name: "3d",
      kind: "reducer",
      inputSchema: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], items: false },
      outputSchema: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], items: false },
    },
    { name: "merge", kind: "reducer", inputSchema: { type: "object", additionalProperties: { type: "integer" } }, outputSchema: { type: "object", additionalProperties: { type: "integer" } } },
    { name: "__init__", kind: "emitter", inputSchema: { type: "string" }, outputSchema: { type: "array" } },
    { name: "List", kind: "unary", inputSchema: { type: "string", nullable: true }, outputSchema: { type: "object", properties: { int: { type: "integer" }, "a b": { type: "number" } } } },
  ],
};

// What the odd catalogue allows, and (each a needed ignore: --strict warns on unused ones) what it refuses.
const ODD_USAGE = `from typing import Dict, List, Literal, Optional, Tuple, Union
from compute_client import Client, JsonValue, MyFnInput, MyFnOutput, MyFnInputNested

client = Client("http://127.0.0.1:8080")
arg: MyFnInput = {"first-name": "Ada", "class": 1, "nested": {"mode": None}}
out: Optional[str] = client.functions.my_fn(arg)
tree = client.functions.my_fn_2(None)
label: str = tree["label"]
children: List[JsonValue] = tree.get("children", [])
kept: List[Literal[3]] = client.jobs.run("filter", "class", [3])
point: List[float] = client.functions.fn_3d((1, 2), (3.0, 4.5))
total: Dict[str, int] = client.jobs.run("fold", "merge", [{"a": 1}])
pairs: List[Tuple[Union[str, float], JsonValue]] = client.functions.init("text")
listed = client.functions.list("x")
counted: int = listed["int"]
client.functions.list(None)
client.functions.my_fn({"class": 1})  # type: ignore[typeddict-item]
client.jobs.run("filter", "my-fn", [arg])  # type: ignore[call-overload]
client.jobs.run("map", "class", [4])  # type: ignore[call-overload]
client.jobs.run("fold", "merge", range(3))  # type: ignore[call-overload]
nested: MyFnInputNested = {"mode": "z"}  # type: ignore[typeddict-item]
`;

const ONE = { functions: [{ name: "double", kind: "unary", inputSchema: { type: "number" }, outputSchema: { type: "number" } }] };
const ONE_USAGE = `from typing import List
from compute_client import Client, Job

client = Client("http://127.0.0.1:8080")
doubled: List[float] = client.jobs.run("map", "double", range(10))
job: Job[List[float]] = client.jobs.submit("map", "double", [1.5])
client.jobs.run("fold", "double", [1])  # type: ignore[arg-type]
`;

let work = "";

beforeAll(async () => {
  const ensured = spawnSync("bash", [ensureMypy], { encoding: "utf8", timeout: 600_000 });
  expect(ensured.status, ensured.stderr).toBe(0);
  work = await mkdtemp(join(tmpdir(), "polybridge-pycodegen-"));
}, 620_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function generateFrom(name: string, catalogue: unknown, usage: string): Promise<{ dir: string; module: string }> {
  const dir = join(work, name);
  await writeFile(join(work, `${name}.json`), JSON.stringify(catalogue));
  const result = await generatePythonClient({ from: join(work, `${name}.json`), out: dir });
  expect(result.written).toEqual([join(dir, "compute_client.py")]);
  await writeFile(join(dir, "usage.py"), usage);
  return { dir, module: await readFile(join(dir, "compute_client.py"), "utf8") };
}

function expectImportsAndTypeChecks(dir: string): void {
  const imported = spawnSync(PYTHON, ["-c", "import compute_client; print(compute_client.Client.__name__)"], { cwd: dir, encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
  expect([imported.status, imported.stdout.trim()], imported.stderr).toEqual([0, "Client"]);
  const mypy = spawnSync(PYTHON, ["-m", "mypy", "--strict", "--no-incremental", "compute_client.py", "usage.py"], { cwd: dir, encoding: "utf8", timeout: 180_000 });
  expect(mypy.status, `${mypy.stdout}${mypy.stderr}`).toBe(0);
}

describe("generatePythonClient on unusual catalogues", () => {
  it("names odd functions and keys safely, and the module imports and passes mypy --strict with its usage", async () => {
    const { dir, module } = await generateFrom("odd", ODD, ODD_USAGE);
    // Collisions get a suffix, keywords a trailing underscore, a leading digit a prefix.
    for (const method of ["my_fn", "my_fn_2", "class_", "fn_3d", "merge", "init", "list"]) expect(module).toMatch(new RegExp(`^    def ${method}\\(\\s*self,`, "m"));
    // Keys that are not identifiers: the functional TypedDict syntax.
    expect(module).toContain('_MyFnInputRequired = TypedDict("_MyFnInputRequired", {"first-name": str})');
    expect(module).toContain('"nested": MyFnInputNested');
    expect(module).toContain('mode: Optional[Literal["x", "y"]]');
    expect(module).toContain("    def fn_3d(\n        self,\n        acc: Tuple[float, float],\n        item: Tuple[float, float],\n");
    expect(module).toContain('"""Takes "odd" keys \\"\\"\\" and \\\\ backslashes.');
    expectImportsAndTypeChecks(dir);
  }, 200_000);

  it("types a catalogue with one job signature without overloads", async () => {
    const { dir, module } = await generateFrom("one", ONE, ONE_USAGE);
    expect(module).not.toContain("@overload");
    expectImportsAndTypeChecks(dir);
  }, 200_000);

  it("writes a working module for an empty catalogue", async () => {
    const { dir, module } = await generateFrom("empty", { functions: [] }, 'from compute_client import Client\nClient("http://127.0.0.1:8080").health()\n');
    expect(module).toContain("Functions: none.");
    expectImportsAndTypeChecks(dir);
  }, 200_000);

  it("reports drift with check and writes nothing", async () => {
    const dir = join(work, "check");
    await writeFile(join(work, "check.json"), JSON.stringify(ONE));
    const first = await generatePythonClient({ from: join(work, "check.json"), out: join(dir, "client.py"), check: true });
    expect(first).toEqual({ written: [], drifted: [join(dir, "client.py")] });
    await generatePythonClient({ from: join(work, "check.json"), out: join(dir, "client.py") });
    expect(await generatePythonClient({ from: join(work, "check.json"), out: join(dir, "client.py"), check: true })).toEqual({ written: [], drifted: [] });
  });
});
