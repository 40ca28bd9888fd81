export { BullMQExecutor, type BullMQExecutorOptions } from "./BullMQExecutor.js";
export { startWorker, type WorkerOptions, type RunningWorker } from "./startWorker.js";
export { DEFAULT_QUEUE } from "./redisConnection.js";
export { RedisJobEngine, type RedisJobEngineOptions } from "./RedisJobEngine.js";
