import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The root of this package (dist/paths.js and src/paths.ts sit one level below it). */
export const packageRoot: string = fileURLToPath(new URL("../", import.meta.url));

/** The server templates shipped inside this package (copied from server-template/ at build time). */
export const templatesDir: string = join(packageRoot, "templates");

/** This package's version. */
export function cliVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

/** Languages with a template in {@link templatesDir} (empty before the build copied them). */
export function shippedLanguages(): string[] {
  if (!existsSync(templatesDir)) return [];
  return readdirSync(templatesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * The folder of an installed package, found from its resolved entry point without loading it
 * (`import.meta.resolve` only resolves), by walking up to the package.json that names it.
 */
export function installedPackageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file) && (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package.json of ${name}`);
    dir = parent;
  }
}

/** The version of the installed `@polybridge/server`, read from its package.json. */
export function serverVersion(): string {
  return (JSON.parse(readFileSync(join(installedPackageDir("@polybridge/server"), "package.json"), "utf8")) as { version: string }).version;
}
