/** The built-in functions module (conformance set plus the server's extras), loaded by every worker. */
export const builtinsModule: string = new URL("./builtins.js", import.meta.url).href;
