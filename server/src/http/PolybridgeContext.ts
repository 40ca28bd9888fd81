import type { Executor } from "@polybridge/core/engine";
import type { JobService } from "../engine/JobService.js";
import type { FunctionRegistry } from "@polybridge/core/functions";

/** What the routes share. */
export interface PolybridgeContext {
  engine: JobService;
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
