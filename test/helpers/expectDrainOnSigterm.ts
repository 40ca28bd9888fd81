// The shutdown behaviour every stack shares (docs/PROTOCOL.md, "Conventions for a server
// process"), checked the same way for each: SIGTERM drains, it does not drop work.
import { createResponseValidator } from "@polybridge/spec";
import { expect } from "vitest";
import { readEventStream } from "./readEventStream.js";
import type { ServerProcess } from "./serverProcess.js";

const post = (url: string, body: unknown): Promise<Response> =>
  fetch(`${url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/**
 * Starts a 1.5 s job, follows its events, sends SIGTERM, then expects: new jobs refused with a
 * contract-valid `503 shutting_down` (Retry-After: 1), health `draining`, the running job still
 * running and then successful on its event stream, and exit code 0 only after the job's time.
 * Leaves the server exited.
 *
 * @example
 * it("drains on SIGTERM", () => expectDrainOnSigterm(server), 30_000);
 */
export async function expectDrainOnSigterm(server: ServerProcess): Promise<void> {
  expect(server.child.exitCode, server.output()).toBeNull();
  const running = await post(server.url, { kind: "map", function: "sleep", input: { items: [1500] } });
  expect(running.status).toBe(202);
  const job = (await running.json()) as { id: string };
  // Followed from before the signal: its terminal event must still arrive.
  const events = readEventStream(`${server.url}/v1/jobs/${job.id}/events`, 20_000);
  const signalledAt = Date.now();
  server.child.kill("SIGTERM");
  // Long enough for the signal to be handled, well short of the job's 1.5 s.
  await new Promise((resolve) => setTimeout(resolve, 300));

  const refused = await post(server.url, { kind: "map", function: "square", input: { items: [1] } });
  const problem: unknown = await refused.json();
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toBe("1");
  expect(problem).toMatchObject({ code: "shutting_down", status: 503 });
  const check = createResponseValidator();
  expect(check({ method: "POST", path: "/v1/jobs", status: 503, contentType: refused.headers.get("content-type"), body: problem }).errors).toEqual([]);
  const health = (await (await fetch(`${server.url}/v1/health`)).json()) as { status: string };
  expect(health.status).toBe("draining");
  const current = (await (await fetch(`${server.url}/v1/jobs/${job.id}`)).json()) as { status: string };
  expect(current.status).toBe("running");

  expect((await events).text.trimEnd()).toMatch(/"status":"successful".*\}$/);
  expect(await server.exited(20_000), server.output()).toBe(0);
  expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1_000); // it waited for the job
}
