// The engine's pure parts, free of Node built-ins: the msw mock handlers run the same chunk
// code, chunking and event-log rules as the reference server, in browsers too.
export { runChunk, runCall } from "./runChunk.js";
export { rangeCount, sourceSize, defaultChunkSize, chunkSource, packNumbers, PACKED_CHUNK_ITEMS, type JobSource } from "./chunking.js";
export { compareKeys } from "./compareKeys.js";
export { ResultAccumulator, CombineError } from "./ResultAccumulator.js";
export { findNonFinite, nonFiniteMessage } from "./findNonFinite.js";
export { pageNewestFirst, type JobQuery } from "./pageNewestFirst.js";
export { EventLog, sseFrame, type LoggedEvent } from "./EventLog.js";
export { exceedsJsonDepth } from "./exceedsJsonDepth.js";
export { ExecutorBusyError, type Executor, type ChunkTask, type ChunkSource, type ChunkOutcome, type CallOutcome } from "./Executor.js";
export { JobEngine, costKey, isTerminal, type JobEngineOptions, type Submission, type ForcedOutcome, type MemoryProbe, type JobEngineEvent } from "./JobEngine.js";
export { JobStop } from "./JobStop.js";
export { runJobChunks, type JobChunksRun, type JobChunksOutcome } from "./runJobChunks.js";
export { systemClock, pause, type EngineClock } from "./EngineClock.js";
export { FunctionCosts, type FunctionCostLimits } from "./FunctionCosts.js";
