import { fileURLToPath } from "node:url";

/**
 * The server-template/ folder of the polybridge checkout this codegen runs from
 * (codegen/dist/new/ or codegen/src/new/ → ../../../server-template/).
 *
 * @example
 * join(defaultTemplatesDir(), "ts"); // /…/polybridge/server-template/ts
 */
export function defaultTemplatesDir(): string {
  return fileURLToPath(new URL("../../../server-template/", import.meta.url));
}
