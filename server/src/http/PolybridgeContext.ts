import type { Executor } from "../engine/Executor.js";
import type { JobEngine } from "../engine/JobEngine.js";
import type { FunctionRegistry } from "../functions/FunctionRegistry.js";

/** What the routes share. */
export interface PolybridgeContext {
  engine: JobEngine;
  executor: Executor;
  registry: FunctionRegistry;
  version: string;
  /** SSE heartbeat interval. */
  heartbeatMs: number;
  /** Bound of a sync call without its own `timeoutMs`. */
  callTimeoutMs: number;
  /** Cap of `Prefer: wait=N`. */
  maxWaitSeconds: number;
}
