// A throw-away Verdaccio for the install tests: 127.0.0.1, a free port, a temp config and
// storage; `@polybridge/*` lives only here (anyone may publish), every other name is proxied
// to registry.npmjs.org.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { killGroup, sh, shOk } from "./run.js";
import { freePort } from "../helpers/freePort.js";

export const repoDir = fileURLToPath(new URL("../../", import.meta.url));

/** A running Verdaccio. */
export interface Registry {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** Temp folder with config, storage, htpasswd, log and the packed tarballs. */
  dir: string;
  /** Ends Verdaccio (SIGTERM, then SIGKILL) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

export { freePort };

/**
 * The environment for every npm/npx/node command of the tests: this process's, without what
 * `npm test` and vitest put there (npm_* settings such as the checkout as prefix, the checkout's
 * node_modules/.bin on PATH, VITEST*, NODE_ENV) — a user's shell, not the monorepo's.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const drop = /^(npm_|npx_|vitest|node_options$|node_env$|init_cwd$|test$|mode$|prod$|dev$|base_url$|ssr$|tinypool|polybridge_)/i;
  for (const [key, value] of Object.entries(process.env)) if (!drop.test(key)) env[key] = value;
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((entry) => entry !== "" && !entry.startsWith(repoDir) && !entry.includes("node_modules"))
    .join(":");
  return { ...env, NO_COLOR: "1", ...extra };
}

/**
 * Starts Verdaccio (the root devDependency) and waits for `/-/ping`.
 *
 * @example
 * const registry = await startRegistry();
 * try { … `npm i --registry ${registry.url}` … } finally { await registry.stop(); }
 */
export async function startRegistry(timeoutMs = 30_000): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), "polybridge-registry-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = [
    `storage: ${join(dir, "storage")}`,
    "auth:",
    "  htpasswd:",
    `    file: ${join(dir, "htpasswd")}`,
    "    max_users: -1",
    "uplinks:",
    "  npmjs:",
    "    url: https://registry.npmjs.org/",
    "    timeout: 30s",
    "packages:",
    "  '@polybridge/*':",
    "    access: $all",
    "    publish: $anonymous",
    "    unpublish: $anonymous",
    "  '**':",
    "    access: $all",
    "    proxy: npmjs",
    "server:",
    "  keepAliveTimeout: 5",
    "max_body_size: 200mb",
    "log: { type: stdout, format: pretty, level: warn }",
    "",
  ].join("\n");
  await writeFile(join(dir, "config.yaml"), config);
  const bin = join(repoDir, "node_modules", "verdaccio", "bin", "verdaccio");
  const child = spawn(process.execPath, [bin, "--config", join(dir, "config.yaml"), "--listen", `127.0.0.1:${port}`], {
    cwd: dir,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout.on("data", (c: Buffer) => (log += c.toString()));
  child.stderr.on("data", (c: Buffer) => (log += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(child, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
    killGroup(child, "SIGKILL");
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`verdaccio exited before it answered:\n${log}`);
    }
    const ok = await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ok) return { url, dir, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`verdaccio did not answer ${url}-/ping within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The workspace folders of the root package.json, as they are now (`dir/*` entries expanded). */
export async function workspaceDirs(): Promise<string[]> {
  const root = JSON.parse(await readFile(join(repoDir, "package.json"), "utf8")) as { workspaces?: string[] | { packages?: string[] } };
  const patterns = Array.isArray(root.workspaces) ? root.workspaces : (root.workspaces?.packages ?? []);
  const dirs: string[] = [];
  for (const pattern of patterns) {
    if (!pattern.endsWith("/*")) {
      dirs.push(pattern.replace(/\/$/, ""));
      continue;
    }
    const parent = pattern.slice(0, -2);
    for (const entry of await readdir(join(repoDir, parent), { withFileTypes: true })) if (entry.isDirectory()) dirs.push(`${parent}/${entry.name}`);
  }
  return dirs;
}

/** One package as published. */
export interface Published {
  name: string;
  version: string;
  /** Workspace folder, relative to the checkout. */
  dir: string;
  /** Size of the tarball in bytes. */
  tarballBytes: number;
}

/**
 * Packs every non-private workspace package (`npm pack`, so `prepack` and `files` apply as for
 * a real release) and publishes each tarball to the registry. The checkout must be built.
 */
export async function publishWorkspaces(registry: Registry, timeoutMs = 180_000): Promise<Published[]> {
  const packDir = join(registry.dir, "tarballs");
  const host = new URL(registry.url).host;
  // Verdaccio lets $anonymous publish @polybridge/*, but npm refuses to publish without some
  // credential for the registry: any token will do.
  await mkdir(packDir, { recursive: true });
  const userconfig = join(registry.dir, "publish.npmrc");
  await writeFile(userconfig, `//${host}/:_authToken=polybridge-install-tests\n`);
  const env = cleanEnv({ npm_config_userconfig: userconfig, npm_config_cache: join(registry.dir, "npm-cache") });
  const packages: { dir: string; name: string; version: string }[] = [];
  for (const dir of await workspaceDirs()) {
    const manifest = JSON.parse(await readFile(join(repoDir, dir, "package.json"), "utf8")) as { name: string; version: string; private?: boolean };
    if (!manifest.private) packages.push({ dir, name: manifest.name, version: manifest.version });
  }
  return Promise.all(
    packages.map(async (pkg) => {
      const packed = await shOk(`npm pack --json --pack-destination ${JSON.stringify(packDir)}`, { cwd: join(repoDir, pkg.dir), env, timeoutMs });
      const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string; size: number }[];
      if (!info) throw new Error(`npm pack printed no file for ${pkg.dir}`);
      const published = await sh(`npm publish ${JSON.stringify(join(packDir, info.filename))} --registry ${registry.url} --tag latest`, { cwd: registry.dir, env, timeoutMs });
      if (published.code !== 0) throw new Error(`npm publish ${pkg.name}@${pkg.version} failed:\n${published.output.slice(-4000)}`);
      return { ...pkg, tarballBytes: info.size };
    }),
  );
}
