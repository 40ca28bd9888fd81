export { createProject, type CreateProjectOptions, type CreatedProject } from "./createProject.js";
export { KNOWN_LANGUAGES, isLanguage, type Language } from "./knownLanguages.js";
export { defaultServerDep } from "./defaultServerDep.js";
export { defaultTemplatesDir } from "./templatesDir.js";
export {
  generateServerStubs,
  defaultBaseSpec,
  type GenerateServerStubsOptions,
  type ServerStubsResult,
} from "./generateServerStubs.js";
export { newCommandHelp } from "./newCommandHelp.js";
