// The whole conformance suite, auth and tenant cases included, against `serve --redis` whose
// chunks and calls run on two `polybridge worker` processes (Redis with AOF): scale-out mode speaks
// the same protocol as the embedded server.
import { afterAll, beforeAll, it } from "vitest";
import { expectConformance } from "../helpers/expectConformance.js";
import { startScaleOut, type ScaleOut } from "./startScaleOut.js";

let cluster: ScaleOut;

beforeAll(async () => {
  cluster = await startScaleOut({ aof: true, parallelism: 2, workers: 2, serveEnv: { POLYBRIDGE_AUTH_TOKENS: "scale-a,scale-b" } });
}, 120_000);

afterAll(() => cluster?.stop());

it("passes the conformance suite on serve --redis with two workers", async () => {
  await expectConformance(cluster.serve.url, 150, { token: "scale-a", otherToken: "scale-b" });
}, 300_000);
