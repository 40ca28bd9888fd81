import type { Language } from "./knownLanguages.js";

/** The project name every template is written with; `polybridge new` replaces it in names and contents. */
export const NAME_TOKEN = "pbcompute";

/** The default port every template is written with (docs/PROTOCOL.md: `PORT`, default 8080). */
export const TEMPLATE_DEFAULT_PORT = 8080;

/** Folders and files that are build output or caches, never part of a new project. */
export const SKIPPED_NAMES: ReadonlySet<string> = new Set([
  "node_modules", "dist", "ebin", "test_ebin", "_build", "__pycache__", ".pytest_cache", "erl_crash.dump", "tsconfig.tsbuildinfo",
]);

/**
 * Files (template paths, before renaming) that declare a template's default port. The
 * templates read `PORT` with a plain `8080` default there, so `--port` rewrites that literal;
 * each file must still contain it, else the template drifted and `new --port` refuses to guess.
 */
export const PORT_FILES: Readonly<Record<Language, readonly string[]>> = {
  ts: ["src/config.ts"],
  python: ["server.py", "polybridge/app.py"],
  erlang: ["src/pbcompute_config.erl", "bin/start"],
};

/** Documentation files whose mentions of the default port follow `--port` when present. */
export const PORT_DOC_FILES: readonly string[] = ["README.md"];
