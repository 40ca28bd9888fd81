// Kept for code written against @polybridge/server/engine: the engine's pure parts now live in
// the browser-safe @polybridge/core.
export * from "@polybridge/core/engine";
