#!/usr/bin/env node
// Committed launcher: npm links bins at install time, before `tsc` has written dist/.
try {
  await import("../dist/cli.js");
} catch (error) {
  const missing = error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(new URL("../dist/cli.js", import.meta.url).pathname);
  if (!missing) throw error;
  console.error("polybridge: this @polybridge/cli is not built (dist/cli.js is missing): run `npm run build` in the checkout");
  process.exitCode = 2;
}
