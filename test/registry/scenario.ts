// A user's fresh folder outside the checkout: an .npmrc that maps only the @polybridge scope to
// the test registry (everything else comes from registry.npmjs.org), a per-run npm cache (so
// neither an earlier run's tarballs nor its npx installs are reused), and a clean environment.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, type Registry } from "./registry.js";
import { sh, shOk, startShell, type Ran, type Started } from "./run.js";

/** A user's folder and the commands run in it. */
export interface Scenario {
  name: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs a command line in `dir` (or `cwd`, relative to it); never rejects on a non-zero exit. */
  sh(command: string, timeoutMs: number, cwd?: string): Promise<Ran>;
  /** The same, throwing with the output unless it exits 0. */
  ok(command: string, timeoutMs: number, cwd?: string): Promise<Ran>;
  /** Starts a server command until stdout matches `ready`. */
  start(command: string, ready: RegExp, timeoutMs: number, cwd?: string): Promise<Started>;
  /** Removes the folder. */
  remove(): Promise<void>;
}

/**
 * Makes a fresh folder in the OS temp dir. The same one-line .npmrc is also the npm user config
 * of every command, so projects created inside it (`npx @polybridge/cli new svc`, which has its
 * own package.json) resolve the scope the same way — as a user with it in ~/.npmrc would.
 */
export async function createScenario(name: string, registry: Registry, npmCache: string): Promise<Scenario> {
  const dir = await mkdtemp(join(tmpdir(), `polybridge-user-${name}-`));
  const npmrc = join(dir, ".npmrc");
  await writeFile(npmrc, `@polybridge:registry=${registry.url}\n`);
  const env = cleanEnv({ npm_config_userconfig: npmrc, npm_config_cache: npmCache, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" });
  const at = (cwd?: string): string => (cwd ? join(dir, cwd) : dir);
  return {
    name,
    dir,
    env,
    sh: (command, timeoutMs, cwd) => sh(command, { cwd: at(cwd), env, timeoutMs }),
    ok: (command, timeoutMs, cwd) => shOk(command, { cwd: at(cwd), env, timeoutMs }),
    start: (command, ready, timeoutMs, cwd) => startShell(command, ready, { cwd: at(cwd), env, timeoutMs }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** What `npm install` put in a node_modules tree. */
export interface InstalledTree {
  /** Every installed package's name, once per copy (nested copies included). */
  names: string[];
  /** Distinct name@version pairs. */
  packages: number;
  /** Bytes on disk (`du -sk`). */
  bytes: number;
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/**
 * Walks `node_modules` (scoped and nested ones too) and measures it.
 *
 * @example
 * const tree = await installedTree(join(dir, "node_modules"));
 * expect(tree.names).not.toContain("fastify");
 */
export async function installedTree(nodeModules: string): Promise<InstalledTree> {
  const names: string[] = [];
  const distinct = new Set<string>();
  const walk = async (folder: string): Promise<void> => {
    if (!(await isDir(folder))) return;
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      if (entry.name.startsWith("@") && entry.isDirectory()) {
        for (const scoped of await readdir(join(folder, entry.name), { withFileTypes: true })) await visit(join(folder, entry.name, scoped.name));
      } else await visit(join(folder, entry.name));
    }
  };
  const visit = async (pkgDir: string): Promise<void> => {
    const manifest = await readFile(join(pkgDir, "package.json"), "utf8").then((t) => JSON.parse(t) as { name?: string; version?: string }, () => undefined);
    if (manifest?.name) {
      names.push(manifest.name);
      distinct.add(`${manifest.name}@${manifest.version ?? ""}`);
    }
    await walk(join(pkgDir, "node_modules"));
  };
  await walk(nodeModules);
  const du = await sh(`du -sk ${JSON.stringify(nodeModules)}`, { cwd: tmpdir(), env: cleanEnv(), timeoutMs: 30_000 });
  const kib = Number(/^(\d+)/.exec(du.stdout)?.[1] ?? 0);
  return { names, packages: distinct.size, bytes: kib * 1024 };
}

/** `front end: 12.3 MB in node_modules, 42 packages (…)` — one line per scenario. */
export function summaryLine(scenario: string, tree: InstalledTree, note = ""): string {
  const mb = (tree.bytes / 1_000_000).toFixed(1);
  return `[registry] ${scenario}: ${mb} MB in node_modules, ${tree.packages} packages${note ? ` (${note})` : ""}`;
}
