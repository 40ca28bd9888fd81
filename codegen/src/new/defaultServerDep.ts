import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The dependency spec a new TypeScript project gets for `@polybridge/server`. The package is not
 * on npm, so from a checkout it is `file:<checkout>/server/` (npm links it); elsewhere it is the
 * version range of this codegen, for when the package is published.
 *
 * @example
 * defaultServerDep(); // "file:/home/me/polybridge/server/"
 */
export function defaultServerDep(): string {
  const serverDir = fileURLToPath(new URL("../../../server/", import.meta.url));
  const read = (file: string): { name?: string; version?: string } | undefined => {
    try {
      return JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    } catch {
      return undefined;
    }
  };
  if (read(`${serverDir}package.json`)?.name === "@polybridge/server") return `file:${serverDir}`;
  return `^${read(fileURLToPath(new URL("../../package.json", import.meta.url)))?.version ?? "0.1.0"}`;
}
