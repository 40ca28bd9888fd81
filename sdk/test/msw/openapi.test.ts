import { getResponse } from "msw";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createHandlers } from "../../src/msw/index.js";

const BASE = "http://mock.test/api";

describe("the contract served by the msw handlers", () => {
  const { handlers } = createHandlers({ baseUrl: BASE, tokens: ["t1"] });
  const get = async (path: string) => {
    const response = await getResponse(handlers, new Request(`${BASE}${path}`));
    if (!response) throw new TypeError("no handler");
    return response;
  };

  it("GET /v1/openapi.json: the generated-from document with servers = the base URL, open without a token", async () => {
    const res = await get("/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(doc.servers).toEqual([{ url: BASE, description: "This server." }]);
    expect(doc.paths["/v1/jobs"]?.post?.operationId).toBe("submitJob");
  });

  it("GET /v1/openapi.yaml: the YAML as written (comments kept), servers replaced", async () => {
    const res = await get("/v1/openapi.yaml");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/yaml/);
    const text = await res.text();
    expect(text).toContain("# Auth is optional");
    const doc = parse(text) as { servers: { url: string }[]; paths: Record<string, unknown> };
    expect(doc.servers).toEqual([{ url: BASE, description: "This server." }]);
    expect(Object.keys(doc.paths)).toContain("/v1/openapi.yaml");
  });

  it("other operations still need the token", async () => {
    expect((await get("/v1/jobs")).status).toBe(401);
  });
});
