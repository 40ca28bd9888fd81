// An msw server listening before the SDK is even loaded (a setup file's top level): the fetch
// the SDK sees at load is already msw's, and msw's registered interceptor is what tells.
import { setupServer } from "msw/node";
import { afterAll, expect, it } from "vitest";
import { createHandlers } from "@polybridge/sdk/msw";

const BASE = "http://compute.test";
const { handlers } = createHandlers({ baseUrl: BASE });
const server = setupServer(...handlers);
server.listen({ onUnhandledRequest: "error" });
afterAll(() => server.close());

it("the plain entry loaded after server.listen() is intercepted too", async () => {
  const { createClient } = await import("@polybridge/sdk");
  const client = createClient({ baseUrl: BASE, retry: false, timeoutMs: 5_000 });
  try {
    expect(await client.call("square", 7)).toBe(49);
  } finally {
    await client.close();
  }
});
