import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { copyTemplate } from "./copyTemplate.js";
import { isLanguage, KNOWN_LANGUAGES, type Language } from "./knownLanguages.js";
import { renderProjectReadme } from "./renderProjectReadme.js";
import { NAME_TOKEN, PORT_DOC_FILES, PORT_FILES, TEMPLATE_DEFAULT_PORT } from "./templateFacts.js";

/** Options of {@link createProject}. */
export interface CreateProjectOptions {
  /** Target folder; created when missing, refused when not empty. */
  dir: string;
  /** One of {@link KNOWN_LANGUAGES}. */
  lang: string;
  /** Project name (`^[a-z][a-z0-9_]{0,39}$`: Erlang module and Python identifier rules). Default: from the folder name. */
  name?: string;
  /** Default port the server listens on (PORT and --port still override it). Default 8080. */
  port?: number;
  /**
   * `@polybridge/server` dependency of a TypeScript project (required for `lang: "ts"`): the CLI
   * passes `^<its @polybridge/server version>`; tests in the monorepo pass `file:<checkout>/server`.
   */
  serverDep?: string;
  /** The folder holding one template per language (`ts/`, `python/`, `erlang/`): the caller's own copy. */
  templatesDir: string;
}

/** What {@link createProject} made. */
export interface CreatedProject {
  dir: string;
  name: string;
  lang: Language;
  port: number;
  /** Files written, relative to `dir`, sorted. */
  files: string[];
}

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

function projectName(dir: string, name: string | undefined): string {
  if (name !== undefined) {
    if (!NAME.test(name)) throw new Error(`invalid project name '${name}': use ${NAME.source} (it becomes an Erlang module and a Python identifier)`);
    return name;
  }
  // `polybridge new my-compute` is the documented example: folder names may use dashes.
  const derived = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9_]/g, "_");
  if (!NAME.test(derived)) {
    throw new Error(`cannot derive a project name from the folder '${basename(resolve(dir))}': pass --name matching ${NAME.source}`);
  }
  return derived;
}

/** Refuses a non-empty target; tells whether the (empty) folder already existed. */
async function checkTarget(dir: string): Promise<boolean> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return false;
  if (!info.isDirectory()) throw new Error(`${dir} exists and is not a directory`);
  if ((await readdir(dir)).length > 0) throw new Error(`${dir} is not empty: choose a new or empty directory`);
  return true;
}

/** Rewrites the template's default port; a port file without the literal means the template drifted. */
async function setDefaultPort(dir: string, lang: Language, name: string, port: number): Promise<void> {
  // A fresh RegExp per use: a shared global one would carry `lastIndex` between files.
  const literal = (): RegExp => new RegExp(`\\b${TEMPLATE_DEFAULT_PORT}\\b`, "g");
  for (const file of PORT_FILES[lang]) {
    const path = join(dir, file.replaceAll(NAME_TOKEN, name));
    const text = await readFile(path, "utf8");
    if (!literal().test(text)) throw new Error(`template ${lang}: ${file} no longer declares the default port ${TEMPLATE_DEFAULT_PORT}`);
    await writeFile(path, text.replace(literal(), String(port)));
  }
  for (const file of PORT_DOC_FILES) {
    const path = join(dir, file);
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text !== undefined) await writeFile(path, text.replace(literal(), String(port)));
  }
}

async function setServerDep(dir: string, serverDep: string): Promise<void> {
  const path = join(dir, "package.json");
  const pkg = JSON.parse(await readFile(path, "utf8")) as { dependencies?: Record<string, string> };
  if (!pkg.dependencies?.["@polybridge/server"]) throw new Error("template ts: package.json does not depend on @polybridge/server");
  pkg.dependencies["@polybridge/server"] = serverDep;
  await writeFile(path, `${JSON.stringify(pkg, null, 2)}\n`);
}

/**
 * `polybridge new`: copies `<templatesDir>/<lang>/` into `dir`, renames the `pbcompute` token in
 * file names and contents to the project name, sets the default port, and writes a README on
 * how to start it, where functions go, and how to run its tests and the conformance suite.
 *
 * @example
 * const project = await createProject({ dir: "my-compute", lang: "python", port: 9000, templatesDir: "node_modules/@polybridge/cli/templates" });
 * project.name; // "my_compute"
 */
export async function createProject(options: CreateProjectOptions): Promise<CreatedProject> {
  if (!isLanguage(options.lang)) {
    throw new Error(`unknown language '${options.lang}': choose one of ${KNOWN_LANGUAGES.join(", ")}`);
  }
  const lang = options.lang;
  const name = projectName(options.dir, options.name);
  const port = options.port ?? TEMPLATE_DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`invalid port ${port}: use 1..65535`);
  const dir = resolve(options.dir);
  const from = join(options.templatesDir, lang);
  if (!(await stat(from).catch(() => undefined))?.isDirectory()) throw new Error(`template folder ${from} is missing`);
  if (lang === "ts" && !options.serverDep) throw new Error("a TypeScript project needs serverDep: the @polybridge/server dependency spec (e.g. ^0.1.0)");
  const existed = await checkTarget(dir);
  await mkdir(dir, { recursive: true });
  try {
    const files = await copyTemplate({ from, to: dir, replace: [[NAME_TOKEN, name]] });
    if (port !== TEMPLATE_DEFAULT_PORT) await setDefaultPort(dir, lang, name, port);
    if (lang === "ts") await setServerDep(dir, options.serverDep as string);
    const readmePath = join(dir, "README.md");
    const templateReadme = await readFile(readmePath, "utf8").catch(() => undefined);
    await writeFile(readmePath, renderProjectReadme({ name, lang, port, ...(templateReadme ? { templateReadme } : {}) }));
    return { dir, name, lang, port, files: [...new Set([...files, "README.md"])].sort() };
  } catch (error) {
    // A half-made project is worse than none: put the folder back as it was (empty or absent).
    if (existed) for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
    else await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
