// `polybridge generate --client` from the contract a running reference server serves
// (`GET /v1/openapi.json`), then the generated functions against that server, with a token.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "@polybridge/server";
import { ApiError, createApiClient, type ApiClient, type CallOptions } from "@polybridge/sdk/runtime";
import { runCli } from "./runCli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tmp = join(root, "test", ".tmp", `codegen-own-${process.pid}`);

type Operation = (client: ApiClient, args?: unknown, options?: CallOptions) => Promise<any>;
let server: Awaited<ReturnType<typeof startServer>>;
let gen: Record<string, Operation> & { securitySchemes: { bearerAuth: any } };
let api: ApiClient;

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", workers: 1, auth: { tokens: ["s3cret"] } });
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const run = await runCli(["generate", "--spec", `${server.url}/v1/openapi.json`, "--out", join(tmp, "gen"), "--client"], tmp);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  gen = await import(pathToFileURL(join(tmp, "gen", "client.ts")).href);
  api = createApiClient({ baseUrl: server.url, securitySchemes: gen.securitySchemes, auth: { bearerAuth: "s3cret" } });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe("the client generated from the reference server's own contract", () => {
  it("calls open and token-protected operations (the token from securitySchemes' bearerAuth)", async () => {
    expect(await gen.getHealth!(api)).toMatchObject({ status: "ok" });
    expect(await gen.callFunction!(api, { path: { name: "square" }, body: { input: 12 } })).toMatchObject({ output: 144 });
    const job = await gen.submitJob!(api, {
      body: { kind: "map", function: "square", input: { items: [1, 2, 3] } },
      headers: { Prefer: "wait=10", "Idempotency-Key": "k-1" },
    });
    expect(job).toMatchObject({ status: "successful" });
    expect(await gen.getJobResult!(api, { path: { id: job.id } })).toMatchObject({ kind: "map", items: [1, 4, 9] });
    const page = await gen.listJobs!(api, { query: { status: "successful", limit: 5 } });
    expect(page.jobs.map((j: { id: string }) => j.id)).toContain(job.id);
  });

  it("throws ApiError with the problem+json body for the server's errors, 401 without the token", async () => {
    const missing = (await gen.getJob!(api, { path: { id: "job_nope" } }).catch((e: unknown) => e)) as ApiError;
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing.response).toMatchObject({ status: 404, body: { code: "job_not_found", status: 404 } });
    const anonymous = createApiClient({ baseUrl: server.url });
    try {
      expect(await gen.getHealth!(anonymous)).toMatchObject({ status: "ok" });
      const denied = (await gen.listFunctions!(anonymous).catch((e: unknown) => e)) as ApiError;
      expect(denied.response).toMatchObject({ status: 401, body: { code: "unauthorized" } });
    } finally {
      await anonymous.close();
    }
  });
});
