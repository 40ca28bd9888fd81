export { createProject, type CreateProjectOptions, type CreatedProject } from "./createProject.js";
export { KNOWN_LANGUAGES, isLanguage, type Language } from "./knownLanguages.js";
export {
  generateServerStubs,
  defaultBaseSpec,
  type GenerateServerStubsOptions,
  type ServerStubsResult,
} from "./generateServerStubs.js";
