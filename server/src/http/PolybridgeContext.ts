import type { Executor } from "@polybridge/core/engine";
import type { JobEngine } from "../engine/JobEngine.js";
import type { FunctionRegistry } from "@polybridge/core/functions";

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
