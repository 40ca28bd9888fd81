export { generate, type GenerateOptions } from "./generate.js";
export { generateFunctions, type GenerateFunctionsOptions } from "./generateFunctions.js";
export { generateSdk } from "./generateSdk.js";
export { generatePythonClient, type GeneratePythonClientOptions } from "./python/index.js";
export { generateMsw } from "./msw/index.js";
export type { GenerateResult } from "./writeFiles.js";
export {
  createProject,
  KNOWN_LANGUAGES,
  isLanguage,
  generateServerStubs,
  defaultBaseSpec,
  type CreateProjectOptions,
  type CreatedProject,
  type Language,
  type GenerateServerStubsOptions,
  type ServerStubsResult,
} from "./new/index.js";
