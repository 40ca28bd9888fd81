import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The barrel of codegen/src/new (the lead re-exports it from @polybridge/codegen).
import { fileURLToPath } from "node:url";
import { createProject, KNOWN_LANGUAGES } from "../../src/new/index.js";

/** The checkout's templates (what the CLI's build copies into cli/templates/). */
const templatesDir = fileURLToPath(new URL("../../../server-template/", import.meta.url));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "pb-new-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Every file under dir, relative, with `/` separators. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/")).sort();
}

const cases = [
  {
    lang: "ts",
    renamed: ["package.json", "src/functions.ts", "src/main.ts", "src/config.ts", "src/gen/routes.ts"],
    portFiles: ["src/config.ts"],
    functionsFile: "src/functions.ts",
  },
  {
    lang: "python",
    renamed: ["server.py", "functions.py", "polybridge/app.py"],
    portFiles: ["server.py", "polybridge/app.py"],
    functionsFile: "functions.py",
  },
  {
    lang: "erlang",
    renamed: ["Makefile", "bin/start", "src/calc.erl", "src/calc_web.erl", "src/calc_functions.erl", "src/calc.app.src"],
    portFiles: ["src/calc_config.erl", "bin/start"],
    functionsFile: "src/calc_functions.erl",
  },
] as const;

describe.each(cases)("createProject --lang $lang", ({ lang, renamed, portFiles, functionsFile }) => {
  let dir: string;
  let files: string[];
  beforeAll(async () => {
    dir = join(tmp, `${lang}-project`);
    const made = await createProject({ dir, lang, name: "calc", port: 9000, serverDep: "file:/opt/polybridge/server/", templatesDir });
    expect(made).toMatchObject({ dir, name: "calc", lang, port: 9000 });
    files = await listFiles(dir);
    expect(made.files).toEqual(files);
  });

  it("copies the template under the project name", () => {
    for (const file of renamed) expect(files).toContain(file);
    expect(files.filter((f) => f.includes("pbcompute"))).toEqual([]);
  });

  it("leaves build output and caches behind", () => {
    const skipped = /(^|\/)(node_modules|dist|ebin|test_ebin|_build|__pycache__)\//;
    expect(files.filter((f) => skipped.test(f))).toEqual([]);
  });

  it("replaces the token in every file's contents", async () => {
    const leftovers: string[] = [];
    for (const file of files) if ((await readFile(join(dir, file), "utf8")).includes("pbcompute")) leftovers.push(file);
    expect(leftovers).toEqual([]);
  });

  it("writes the default port where the template declares it", async () => {
    for (const file of portFiles) {
      const text = await readFile(join(dir, file), "utf8");
      expect(text, file).toMatch(/\b9000\b/);
      expect(text, file).not.toMatch(/\b8080\b/);
    }
  });

  it("writes a README with start, functions, tests and conformance", async () => {
    const readme = await readFile(join(dir, "README.md"), "utf8");
    expect(readme.startsWith("# calc\n")).toBe(true);
    expect(readme).toContain(functionsFile);
    expect(readme).toContain("npx @polybridge/cli conformance --url http://127.0.0.1:9000");
    // The template's README is the project's README: no section twice.
    const headings = readme.split("\n").filter((line) => line.startsWith("## "));
    expect(new Set(headings).size).toBe(headings.length);
    expect(readme).not.toMatch(/\b8080\b/);
  });
});

describe("createProject specifics", () => {
  it("points a TypeScript project at the given @polybridge/server", async () => {
    const dir = join(tmp, "dep");
    await createProject({ dir, lang: "ts", name: "dep", serverDep: "file:/opt/polybridge/server/", templatesDir });
    const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { name: string; dependencies: Record<string, string> };
    expect(pkg.name).toBe("dep");
    expect(pkg.dependencies["@polybridge/server"]).toBe("file:/opt/polybridge/server/");
  });

  it("refuses a TypeScript project without a server dependency, and leaves nothing behind", async () => {
    const dir = join(tmp, "nodep");
    await expect(createProject({ dir, lang: "ts", name: "nodep", templatesDir })).rejects.toThrow(/needs serverDep/);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it("gives a packed template's gitignore its dot back (npm never packs .gitignore)", async () => {
    const templates = join(tmp, "packed-templates");
    await mkdir(join(templates, "python", "sub"), { recursive: true });
    await writeFile(join(templates, "python", "gitignore"), "__pycache__/\n");
    await writeFile(join(templates, "python", "sub", "gitignore"), "x\n");
    const made = await createProject({ dir: join(tmp, "dots"), lang: "python", name: "dots", templatesDir: templates });
    expect(made.files).toEqual([".gitignore", "README.md", "sub/.gitignore"]);
  });

  it("keeps scripts executable", async () => {
    const dir = join(tmp, "modes");
    await createProject({ dir, lang: "erlang", name: "modes", templatesDir });
    expect((await stat(join(dir, "bin", "start"))).mode & 0o111).not.toBe(0);
  });

  it("derives the name from the folder, dashes becoming underscores, and keeps port 8080", async () => {
    const made = await createProject({ dir: join(tmp, "My-Compute"), lang: "python", templatesDir });
    expect(made.name).toBe("my_compute");
    expect(made.port).toBe(8080);
    expect(await readFile(join(made.dir, "server.py"), "utf8")).toContain('"my_compute"');
  });

  it("accepts an empty existing folder", async () => {
    const dir = join(tmp, "empty");
    await mkdir(dir);
    await expect(createProject({ dir, lang: "ts", name: "empty", serverDep: "^0.1.0", templatesDir })).resolves.toMatchObject({ name: "empty" });
  });
});

describe("createProject errors", () => {
  it.each([
    { what: "a non-empty folder", make: "full", options: { lang: "ts", name: "full" }, error: /is not empty/ },
    { what: "an unknown language", make: undefined, options: { lang: "go", name: "x" }, error: /unknown language 'go': choose one of ts, python, erlang/ },
    { what: "an upper-case name", make: undefined, options: { lang: "ts", name: "Calc" }, error: /invalid project name 'Calc'/ },
    { what: "a name with a dash", make: undefined, options: { lang: "erlang", name: "my-calc" }, error: /invalid project name 'my-calc'/ },
    { what: "a name starting with a digit", make: undefined, options: { lang: "python", name: "1calc" }, error: /invalid project name/ },
    { what: "a 41-character name", make: undefined, options: { lang: "ts", name: `a${"b".repeat(40)}` }, error: /invalid project name/ },
    { what: "a folder that gives no name", make: undefined, options: { lang: "ts", dirName: "2024" }, error: /pass --name/ },
    { what: "a port out of range", make: undefined, options: { lang: "ts", name: "p", port: 70_000 }, error: /invalid port 70000/ },
  ])("refuses $what", async ({ make, options, error }) => {
    const dir = join(tmp, "errors", options.dirName ?? options.name ?? "x");
    if (make) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "keep.txt"), "mine");
    }
    const { dirName: _dirName, ...rest } = options;
    await expect(createProject({ dir, serverDep: "^0.1.0", templatesDir, ...rest })).rejects.toThrow(error);
    if (make) expect(await readdir(dir)).toEqual(["keep.txt"]);
    else await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it("lists the languages it knows", () => {
    expect([...KNOWN_LANGUAGES]).toEqual(["ts", "python", "erlang"]);
  });

  it("refuses to guess a port the template no longer declares, and leaves nothing behind", async () => {
    const templates = join(tmp, "drifted-templates");
    await mkdir(join(templates, "ts", "src"), { recursive: true });
    await writeFile(join(templates, "ts", "src", "config.ts"), "export const DEFAULT_PORT = Number(process.env.X);\n");
    const dir = join(tmp, "drifted");
    await expect(createProject({ dir, lang: "ts", name: "d", port: 9000, serverDep: "^0.1.0", templatesDir: templates })).rejects.toThrow(
      /src\/config.ts no longer declares the default port 8080/,
    );
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });
});
