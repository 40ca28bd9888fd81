// The file piscina loads in each worker thread. CommonJS on purpose: piscina first require()s its
// worker file, and Node 20's require() of an ES module can abort the whole process (a fatal V8
// error, not an exception) when the worker is terminated mid-load — which cancel and timeout do.
// This entry import()s the ES module instead, on the asynchronous loader.
import type { WorkerMessage } from "./worker.js";

const worker = import("./worker.js");

export = async function handle(message: WorkerMessage): Promise<unknown> {
  return (await worker).default(message);
};
