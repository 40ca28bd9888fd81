// A real registry in the tests (issue 11, part 2): Verdaccio on 127.0.0.1 with every workspace
// package published to it, and each kind of user's steps run in a fresh folder outside the
// checkout whose .npmrc maps only `@polybridge` to it. Nothing else comes from the checkout.
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, publishWorkspaces, repoDir, startRegistry, workspaceDirs, type Published, type Registry } from "./registry.js";
import { readmeCommands } from "./readmeCommands.js";
import { createScenario, installedTree, summaryLine, type Scenario } from "./scenario.js";
import { sh } from "./run.js";

const workspaces = await workspaceDirs();
const hasCli = workspaces.includes("cli");
const hasErlang = (await sh("command -v erl && command -v erlc && command -v make", { cwd: repoDir, env: process.env, timeoutMs: 10_000 })).code === 0;
const hasPython = (await sh("command -v python3", { cwd: repoDir, env: process.env, timeoutMs: 10_000 })).code === 0;

const MIN = 60_000;
const LISTENING = /polybridge listening on (http:\/\/\S+)/;
// The tester's tree must hold none of the server's dependencies.
const SERVER_ONLY = ["fastify", "piscina", "bullmq", "ioredis", "typescript", "openapi-typescript", "@polybridge/server"];

const STRICT_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    types: [],
    rootDir: "src",
    outDir: "dist",
  },
  include: ["src"],
};

describe("installed from a registry, as each user does", () => {
  let registry: Registry | undefined;
  let published: Published[] = [];
  let npmCache = "";
  const scenarios: Scenario[] = [];
  const summaries: string[] = [];
  const scenario = async (name: string): Promise<Scenario> => {
    const made = await createScenario(name, registry!, npmCache);
    scenarios.push(made);
    return made;
  };
  // Printed together once every scenario has ended (afterAll).
  const report = (line: string): void => void summaries.push(line);

  beforeAll(async () => {
    registry = await startRegistry();
    npmCache = join(registry.dir, "user-npm-cache");
    published = await publishWorkspaces(registry);
    console.log(`[registry] published to ${registry.url}: ${published.map((p) => `${p.name}@${p.version} (${(p.tarballBytes / 1000).toFixed(0)} kB)`).join(", ")}`);
    if (hasCli) {
      // One npx install of the CLI before the scenarios run side by side (concurrent npx runs
      // would install into the same npx cache folder at once).
      const warm = await scenario("npx-cli");
      await warm.ok("npx @polybridge/cli --help", 3 * MIN);
      const npx = join(npmCache, "_npx");
      for (const entry of await readdir(npx)) {
        const modules = join(npx, entry, "node_modules");
        const tree = await installedTree(modules);
        if (tree.names.includes("@polybridge/cli")) report(summaryLine("npx @polybridge/cli (the CLI as npx installs it)", tree));
      }
    }
  }, 4 * MIN);

  afterAll(async () => {
    try {
      await Promise.all(scenarios.map((s) => s.remove()));
    } finally {
      await registry?.stop();
      if (summaries.length > 0) console.log(summaries.join("\n"));
    }
  }, MIN);

  it("published every non-private workspace package of the root package.json", async () => {
    const publishable: string[] = [];
    for (const dir of workspaces) {
      const manifest = JSON.parse(await readFile(join(repoDir, dir, "package.json"), "utf8")) as { private?: boolean };
      if (!manifest.private) publishable.push(dir);
    }
    expect(published.map((p) => p.dir).sort()).toEqual(publishable.sort());
    expect(publishable).toContain("sdk");
  });

  it("tester: @polybridge/sdk + msw + vitest; setupServer intercepts the plain entry; no server dependencies", { concurrent: true, timeout: 6 * MIN }, async () => {
    const user = await scenario("tester");
    await user.ok("npm init -y && npm pkg set type=module", MIN);
    await user.ok("npm i -D @polybridge/sdk msw vitest@^4", 4 * MIN);
    await mkdir(join(user.dir, "test"));
    await writeFile(
      join(user.dir, "test", "compute.test.ts"),
      [
        'import { afterAll, afterEach, beforeAll, expect, test } from "vitest";',
        'import { setupServer } from "msw/node";',
        'import { createClient, PolybridgeError } from "@polybridge/sdk";',
        'import { createHandlers } from "@polybridge/sdk/msw";',
        "",
        '// .test never resolves: only msw can answer.',
        'const { handlers, mock, reset } = createHandlers({ baseUrl: "http://compute.test", delayMs: 10, seed: 1 });',
        "const server = setupServer(...handlers);",
        'beforeAll(() => server.listen({ onUnhandledRequest: "error" }));',
        "afterEach(() => reset());",
        "afterAll(() => server.close());",
        'const client = createClient({ baseUrl: "http://compute.test", retry: false });',
        "afterAll(() => client.close());",
        "",
        'test("calls and jobs are answered by the mock", async () => {',
        '  expect(await client.call("square", 12)).toBe(144);',
        "  const seen: number[] = [];",
        '  const job = await client.jobs.run({ kind: "map", function: "square", input: { items: [1, 2, 3] }, options: { chunkSize: 1 } }, { onProgress: (p) => seen.push(p.completedItems) });',
        "  expect(job.items).toEqual([1, 4, 9]);",
        "  expect(seen.at(-1)).toBe(3);",
        "});",
        "",
        'test("overrides and errors keep their codes", async () => {',
        '  mock.error("submitJob", 503, { code: "queue_full", retryAfter: 1, once: true });',
        '  const busy = await client.jobs.submit({ kind: "map", function: "square", input: { items: [2] } }).catch((e: unknown) => PolybridgeError.from(e));',
        '  expect(busy).toMatchObject({ code: "queue_full", status: 503, retryAfterMs: 1000 });',
        '  await expect(client.call("fail", "boom")).rejects.toMatchObject({ code: "function_failed", status: 422 });',
        "});",
        "",
      ].join("\n"),
    );
    const ran = await user.sh("npx vitest run", 3 * MIN);
    expect(ran.code, ran.output).toBe(0);
    expect(ran.output).toMatch(/Tests\s+2 passed \(2\)/);
    const tree = await installedTree(join(user.dir, "node_modules"));
    report(summaryLine("tester (npm i -D @polybridge/sdk msw vitest@^4)", tree));
    expect(SERVER_ONLY.filter((name) => tree.names.includes(name)), "server dependencies in the tester's tree").toEqual([]);
  });

  it.skipIf(!hasCli)("front end: @polybridge/sdk typed calls compile under strict tsc and run against `npx @polybridge/cli serve`", { concurrent: true, timeout: 6 * MIN }, async () => {
    const user = await scenario("frontend");
    await user.ok("npm init -y && npm pkg set type=module", MIN);
    await user.ok("npm i @polybridge/sdk typescript@~5.9", 4 * MIN);
    const server = await user.start("npx @polybridge/cli serve --port 0", LISTENING, 2 * MIN);
    try {
      const url = server.match[1]!;
      await user.ok(`npx @polybridge/cli generate functions --from ${url} --out src/gen/functions.ts`, 2 * MIN);
      await writeFile(join(user.dir, "tsconfig.json"), JSON.stringify(STRICT_TSCONFIG, null, 2));
      await writeFile(join(user.dir, "src", "config.ts"), `export const baseUrl = ${JSON.stringify(url)};\n`);
      await writeFile(
        join(user.dir, "src", "main.ts"),
        [
          'import { createClient, PolybridgeError, type Client } from "@polybridge/sdk";',
          'import type { Functions } from "./gen/functions.js";',
          'import { baseUrl } from "./config.js";',
          "",
          "const client = createClient<Functions>({ baseUrl, timeoutMs: 10_000 });",
          "try {",
          '  const square: number = await client.call("square", 12);',
          '  const sum: number = await client.call("sum", [1, 2]);',
          "  const progress: number[] = [];",
          "  const primes = await client.jobs.run(",
          '    { kind: "filter", function: "isPrime", input: { range: { start: 0, end: 10_000 } }, options: { chunkSize: 1_000 } },',
          "    { onProgress: (p) => progress.push(p.completedItems) },",
          "  );",
          '  const failed = await client.call("fail", "boom").then(() => "no error", (e: unknown) => PolybridgeError.from(e).code);',
          "  console.log(JSON.stringify({ square, sum, primes: primes.items.length, done: progress.at(-1), failed }));",
          "} finally {",
          "  await client.close();",
          "}",
          "",
          "// The generated catalogue types the calls: none of these compile.",
          "export function mustNotCompile(c: Client<Functions>): void {",
          "  // @ts-expect-error square takes a number",
          '  void c.call("square", "3");',
          "  // @ts-expect-error no such function",
          '  void c.call("cube", 3);',
          "  // @ts-expect-error square answers a number",
          '  void c.call("square", 3).then((s: string) => s);',
          "}",
          "",
        ].join("\n"),
      );
      await user.ok("npx tsc --strict --noEmit", 2 * MIN);
      await user.ok("npx tsc", 2 * MIN);
      const ran = await user.ok("node dist/main.js", MIN);
      expect(JSON.parse(ran.stdout)).toEqual({ square: 144, sum: 3, primes: 1229, done: 10_000, failed: "function_failed" });
    } finally {
      await server.stop();
    }
    report(summaryLine("front end (npm i @polybridge/sdk typescript@~5.9)", await installedTree(join(user.dir, "node_modules"))));
  });

  for (const lang of ["ts", "python", "erlang"] as const) {
    const missing = lang === "erlang" ? !hasErlang : lang === "python" ? !hasPython : false;
    it.skipIf(!hasCli || missing)(`back end (${lang}): \`npx @polybridge/cli new svc --lang ${lang}\`, then its README's commands pass`, { concurrent: true, timeout: 6 * MIN }, async () => {
      const user = await scenario(`backend-${lang}`);
      await user.ok(`npx @polybridge/cli new svc --lang ${lang}`, 2 * MIN);
      const commands = readmeCommands(await readFile(join(user.dir, "svc", "README.md"), "utf8"));
      expect(commands.setup.length, `${lang} README: install/build/test commands`).toBeGreaterThan(0);
      for (const line of commands.setup) {
        const ran = await user.sh(line, 4 * MIN, "svc");
        expect(ran.code, `${lang}: \`${line}\`\n${ran.output.slice(-6000)}`).toBe(0);
      }
      // The README's own start and conformance lines, on a free port instead of the one it names
      // (other tests may hold that one).
      const port = String(await freePort());
      const swap = (line: string): string => line.replaceAll(commands.port, port);
      const server = await user.start(swap(commands.start), LISTENING, 3 * MIN, "svc");
      try {
        const ran = await user.sh(swap(commands.conformance), 4 * MIN, "svc");
        // The verdict lines, not the 160 PASS lines before them.
        const verdict = ran.output.split("\n").filter((line) => !/^(PASS|SKIP) /.test(line)).join("\n");
        expect(ran.code, `${lang}: \`${swap(commands.conformance)}\` against \`${swap(commands.start)}\`\n${verdict.slice(-8000)}`).toBe(0);
      } finally {
        await server.stop();
      }
      const modules = join(user.dir, "svc", "node_modules");
      const tree = await installedTree(modules);
      report(summaryLine(`back end ${lang} (svc/: ${commands.setup.join(" && ")})`, tree, tree.packages === 0 ? "no node_modules: only npx @polybridge/cli" : ""));
    });
  }

  it.skipIf(!hasCli)("spec owner: `npx @polybridge/cli generate --spec <file | http URL> --out src/gen` compiles in a fresh project", { concurrent: true, timeout: 5 * MIN }, async () => {
    const user = await scenario("spec");
    await user.ok("npm init -y && npm pkg set type=module", MIN);
    await user.ok("npm i zod@^4 && npm i -D typescript@~5.9", 4 * MIN);
    const fixture = join(repoDir, "codegen", "test", "fixtures", "petstore-expanded.yaml");
    await copyFile(fixture, join(user.dir, "petstore-expanded.yaml"));
    await user.ok("npx @polybridge/cli generate --spec petstore-expanded.yaml --out src/gen", 2 * MIN);
    // The same document from an http URL.
    const yaml = await readFile(fixture);
    const http: Server = createServer((req, res) => {
      if (req.url === "/petstore-expanded.yaml") res.writeHead(200, { "content-type": "application/yaml" }).end(yaml);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/petstore-expanded.yaml`;
      await user.ok(`npx @polybridge/cli generate --spec ${url} --out src/gen-url`, 2 * MIN);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
    for (const file of await readdir(join(user.dir, "src", "gen"))) {
      const body = (dir: string): Promise<string> => readFile(join(user.dir, "src", dir, file), "utf8").then((t) => t.split("\n").slice(1).join("\n"));
      expect(await body("gen-url"), `${file} from the URL`).toBe(await body("gen"));
    }
    await writeFile(join(user.dir, "tsconfig.json"), JSON.stringify({ ...STRICT_TSCONFIG, compilerOptions: { ...STRICT_TSCONFIG.compilerOptions, noEmit: true } }, null, 2));
    await writeFile(
      join(user.dir, "src", "main.ts"),
      [
        'import type { components, paths } from "./gen/types.js";',
        'import { Pet } from "./gen/schemas.js";',
        'import { operations } from "./gen/operations.js";',
        "",
        'type PetT = components["schemas"]["Pet"];',
        'type FindPets = paths["/pets"]["get"];',
        'export const pet: PetT = Pet.parse({ id: 1, name: "Rex" });',
        'export const method: "GET" = operations.findPets.method;',
        'export type Limit = NonNullable<FindPets["parameters"]["query"]>["limit"];',
        "",
      ].join("\n"),
    );
    await user.ok("npx tsc --strict --noEmit -p .", 2 * MIN);
    report(summaryLine("spec owner (npm i zod@^4 typescript@~5.9, generate via npx)", await installedTree(join(user.dir, "node_modules"))));
  });
});
