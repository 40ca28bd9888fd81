export { startServer, type ServerOptions, type RunningServer } from "./startServer.js";
export { polybridgePlugin, type PolybridgePluginOptions } from "./http/polybridgePlugin.js";
export { clientErrorHandler } from "./http/clientErrorHandler.js";
export { bearerAuth, readAuthEnv, readTokensFile, parseOpenGroups, tenantOf, type AuthSettings, type OpenGroup } from "./http/bearerAuth.js";
export { JobEngine, isTerminal, type JobEngineOptions, type Submission } from "./engine/JobEngine.js";
export type { JobService, JobEventFeed } from "./engine/JobService.js";
export { LocalExecutor, type LocalExecutorOptions } from "./engine/LocalExecutor.js";
export { runChunk, runCall } from "@polybridge/core/engine";
export {
  ExecutorBusyError,
  type Executor,
  type ChunkTask,
  type ChunkSource,
  type ChunkOutcome,
  type CallOutcome,
} from "@polybridge/core/engine";
export { ProblemError, problem } from "./ProblemError.js";
export {
  defineUnary,
  defineReducer,
  defineEmitter,
  FunctionRegistry,
  builtinsModule,
  conformanceFunctions,
  type FunctionDefinition,
  type FunctionInfo,
} from "./functions/index.js";
export { loadRegistry } from "./functions/loadRegistry.js";
export { stopOnSignals, type Stoppable } from "./stopOnSignals.js";
