import { chmod, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { SKIPPED_NAMES } from "./templateFacts.js";

/** Options of {@link copyTemplate}. */
export interface CopyTemplateOptions {
  from: string;
  to: string;
  /** Pairs applied to every path and to the contents of every text file. */
  replace: ReadonlyArray<readonly [string, string]>;
}

/** True when the bytes hold a NUL: compiled or binary files are copied as they are. */
function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/**
 * npm never ships a file named `.gitignore` (it would turn it into `.npmignore`), so a packed
 * template stores it as `gitignore`; the project gets its dot back.
 */
function restoreDotfile(rel: string): string {
  return rel.replace(/(^|\/)gitignore$/, "$1.gitignore");
}

function applyAll(text: string, replace: CopyTemplateOptions["replace"]): string {
  return replace.reduce((acc, [token, value]) => acc.replaceAll(token, value), text);
}

/**
 * Copies a template tree, leaving out build output ({@link SKIPPED_NAMES}), renaming paths and
 * rewriting text files; file modes are kept so scripts such as `bin/start` stay executable.
 * Returns the written files relative to `to`, with `/` separators, sorted.
 *
 * @example
 * await copyTemplate({ from: "server-template/erlang", to: "calc", replace: [["pbcompute", "calc"]] });
 */
export async function copyTemplate(options: CopyTemplateOptions): Promise<string[]> {
  const written: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (SKIPPED_NAMES.has(entry.name)) continue;
      const source = join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(source);
        continue;
      }
      if (!entry.isFile()) continue;
      const rel = restoreDotfile(applyAll(relative(options.from, source).split(sep).join("/"), options.replace));
      const target = join(options.to, ...rel.split("/"));
      const bytes = await readFile(source);
      await mkdir(join(target, ".."), { recursive: true });
      await writeFile(target, isBinary(bytes) ? bytes : applyAll(bytes.toString("utf8"), options.replace));
      await chmod(target, (await stat(source)).mode & 0o777);
      written.push(rel);
    }
  };
  await walk(options.from);
  return written.sort();
}
