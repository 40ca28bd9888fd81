// The day-two check shared by the templates whose projects do not ship `cube`: once a user adds
// it (unary, number → number) and restarts, a front end can type and call it like any other.
import { expect } from "vitest";
import { buildTypedClient } from "./buildTypedClient.js";

/**
 * Types the catalogue of the server at `url` into `clientDir`, expects a program that calls
 * `cube` directly and in a map job (so the stack's job workers see the new function too) to
 * compile while a wrong input and a wrong name do not, then runs it against the server.
 *
 * @example
 * await expectCubeServed(server.url, join(tmp, "client"));
 */
export async function expectCubeServed(url: string, clientDir: string): Promise<void> {
  const client = await buildTypedClient({
    url,
    dir: clientDir,
    body: [
      'const cubed: number = await client.call("cube", 3);',
      'const { items } = await client.jobs.run({ kind: "map", function: "cube", input: { items: [-2, 1.5] } });',
      "console.log(JSON.stringify({ cubed, items }));",
    ],
    mustNotCompile: ['client.call("cube", "3")', 'client.call("cubes", 3)'],
  });
  expect(client.functionsSource).toMatch(/\bcube\b/);
  expect(client.diagnostics).toEqual([]);
  const ran = await client.run();
  expect(ran.code, ran.output).toBe(0);
  expect(JSON.parse(ran.stdout)).toEqual({ cubed: 27, items: [-8, 3.375] });
}
