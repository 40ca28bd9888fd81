#!/usr/bin/env node
// Copies the server templates (server-template/{ts,python,erlang} of the checkout) into
// cli/templates/, which ships in @polybridge/cli for `polybridge new`. Build output and caches
// stay behind; `.gitignore` is stored as `gitignore`, because npm never packs a `.gitignore`
// (createProject puts the dot back).
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const cliDir = fileURLToPath(new URL("../", import.meta.url));
const source = join(cliDir, "..", "server-template");
const target = join(cliDir, "templates");
// Built next to the target and swapped in, so a `polybridge new` running meanwhile (tests, other
// builds) never reads a half-copied folder.
const staging = join(cliDir, `.templates-${process.pid}`);
const LANGUAGES = ["ts", "python", "erlang"];
const SKIPPED_DIRS = new Set(["__pycache__", "node_modules", "dist", "_build", "ebin", "test_ebin", ".pytest_cache"]);
const SKIPPED_FILE = /(\.beam|\.pyc|\.tsbuildinfo|^erl_crash\.dump)$/;

rmSync(staging, { recursive: true, force: true });
let files = 0;
for (const lang of LANGUAGES) {
  const from = join(source, lang);
  if (!statSync(from, { throwIfNoEntry: false })?.isDirectory()) {
    console.error(`copyTemplates: ${from} is missing`);
    rmSync(staging, { recursive: true, force: true });
    process.exit(1);
  }
  const to = join(staging, lang);
  mkdirSync(to, { recursive: true });
  cpSync(from, to, {
    recursive: true,
    filter: (path) => {
      const name = basename(path);
      if (statSync(path).isDirectory()) return !SKIPPED_DIRS.has(name);
      if (SKIPPED_FILE.test(name)) return false;
      files++;
      return true;
    },
  });
  for (const dir of walkDirs(to)) {
    const dotfile = join(dir, ".gitignore");
    if (statSync(dotfile, { throwIfNoEntry: false })) renameSync(dotfile, join(dir, "gitignore"));
  }
}
const old = `${staging}-old`;
if (statSync(target, { throwIfNoEntry: false })) renameSync(target, old);
renameSync(staging, target);
rmSync(old, { recursive: true, force: true });
console.log(`copied ${files} template files into ${target}`);

function* walkDirs(dir) {
  yield dir;
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) yield* walkDirs(join(dir, entry.name));
}
