// Function definitions come from the browser-safe @polybridge/core; `builtinsModule` is the
// server's own (its extras use Node built-ins).
export * from "@polybridge/core/functions";
export { builtinsModule } from "./builtinsModule.js";
