import { describe, expect, it } from "vitest";
import { createClient } from "@polybridge/sdk";
import { json, scriptedFetch } from "./scriptedFetch.js";

// The client reuses the last path it built per operation: alternating names and ids must still
// reach their own URLs, encoded.
describe("request paths", () => {
  it("builds each call's and job's path from its own name or id, also when they alternate", async () => {
    const fetch = scriptedFetch(() => json(200, { function: "x", output: 1, durationMs: 0 }));
    const client = createClient({ baseUrl: "http://polybridge.test/base/", fetch });
    for (const name of ["echo", "square", "square", "echo", "a.b-c_d"]) await client.call(name, 1);
    await client.request("getJobResult", { path: { id: "job/1 2" } }).catch(() => undefined);
    await client.request("getJobResult", { path: { id: "job_2" } }).catch(() => undefined);
    expect(fetch.calls.map((c) => new URL(c.url).pathname)).toEqual([
      "/base/v1/functions/echo/call",
      "/base/v1/functions/square/call",
      "/base/v1/functions/square/call",
      "/base/v1/functions/echo/call",
      "/base/v1/functions/a.b-c_d/call",
      "/base/v1/jobs/job%2F1%202/result",
      "/base/v1/jobs/job_2/result",
    ]);
  });
});
