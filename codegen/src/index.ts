export { generate, type GenerateOptions } from "./generate.js";
export { generateFunctions, type GenerateFunctionsOptions } from "./generateFunctions.js";
export { generateSdk } from "./generateSdk.js";
export type { GenerateResult } from "./writeFiles.js";
