// A call run on the request thread (an `inline: "auto"` function measured tiny on the workers)
// gets its timeout only through `context.signal`, which is made when the function first reads it:
// an asynchronous function that honours it still ends the call with 504 call_timeout.
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractClient } from "../helpers/contractClient.js";

const fixtures = fileURLToPath(new URL("../fixtures/signalFunctions.mjs", import.meta.url));
let server: RunningServer;
let api: ReturnType<typeof contractClient>;

beforeAll(async () => {
  server = await startServer({ port: 0, workers: 1, docs: false, functionModules: [fixtures] });
  api = contractClient(server.url);
});
afterAll(() => server?.close(1_000));

describe("the signal of a call run on the request thread", () => {
  it("moves to the request thread once measured, and still times out through the signal", async () => {
    let where = "worker";
    for (let i = 0; i < 40 && where === "worker"; i++) {
      const call = await api.post("/v1/functions/waitForSignal/call", { input: { waitMs: 0 } });
      expect(call.status).toBe(200);
      where = call.body.output.where;
    }
    expect(where).toBe("request thread");
    const started = Date.now();
    const timedOut = await api.post("/v1/functions/waitForSignal/call", { input: { waitMs: 10_000 }, timeoutMs: 200 });
    expect(timedOut.status).toBe(504);
    expect(timedOut.body.code).toBe("call_timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
    // A wait shorter than the timeout ends normally; the server keeps answering. (Where it runs is
    // the measured cost's call: on a loaded machine the quick calls above may have looked slow.)
    const waited = await api.post("/v1/functions/waitForSignal/call", { input: { waitMs: 20 }, timeoutMs: 2_000 });
    expect(waited.status).toBe(200);
    expect(["request thread", "worker"]).toContain(waited.body.output.where);
  });
});
