// The seed's own client, working as written: what `send_to_erlang` sends in
// ../shared/seed/scalable-web-apps-erlang-python.txt — a JSON body with
// `Content-Type: application/jsonrequest` and `User-Agent: Python/Project/0.1`, through Python's
// urllib — gets a correct answer from the reference server and from the Python and Erlang skeletons.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "@polybridge/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand, startServerProcess, type ServerProcess } from "./helpers/serverProcess.js";
import { checkoutTemplates } from "./helpers/templates.js";

const seedClient = fileURLToPath(new URL("./fixtures/seed_client.py", import.meta.url));
const hasErlang = spawnSync("erl", ["-version"], { stdio: "ignore" }).status === 0;

interface Answer {
  name: string;
  status: number;
  contentType: string | null;
  preferenceApplied: string | null;
  body: Record<string, unknown>;
}

async function runSeedClient(url: string): Promise<Map<string, Answer>> {
  const result = await runCommand("python3", [seedClient, url], { cwd: process.cwd(), timeoutMs: 60_000 });
  expect(result.code, result.output).toBe(0);
  const answers = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Answer);
  return new Map(answers.map((answer) => [answer.name, answer]));
}

function expectCorrectAnswers(answers: Map<string, Answer>): void {
  const call = answers.get("call")!;
  expect(call.status, JSON.stringify(call)).toBe(200);
  expect(call.contentType).toMatch(/^application\/json/);
  expect(call.body).toMatchObject({ function: "square", output: 144 });
  const job = answers.get("job")!;
  expect(job.status, JSON.stringify(job)).toBe(200);
  expect(job.preferenceApplied).toBe("wait=10");
  expect(job.body).toMatchObject({ kind: "map", function: "square", status: "successful", result: { kind: "map", items: [1, 4, 9] } });
}

describe("the seed's Python client (application/jsonrequest, urllib)", () => {
  describe("against the reference server", () => {
    let server: RunningServer | undefined;
    beforeAll(async () => {
      server = await startServer({ port: 0, host: "127.0.0.1" });
    });
    afterAll(async () => {
      await server?.close();
    });

    it("gets the call's output and the finished job", async () => {
      expectCorrectAnswers(await runSeedClient(server!.url));
    });
  });

  describe("against the Python skeleton", () => {
    let server: ServerProcess | undefined;
    beforeAll(async () => {
      server = await startServerProcess("python3", ["server.py", "--port", "0"], {
        cwd: join(checkoutTemplates, "python"),
        env: { POLYBRIDGE_AUTH_TOKENS: "", POLYBRIDGE_AUTH_TOKENS_FILE: "", PYTHONDONTWRITEBYTECODE: "1" },
        timeoutMs: 30_000,
      });
    }, 40_000);
    afterAll(async () => {
      await server?.stop();
    });

    it("gets the call's output and the finished job", async () => {
      expectCorrectAnswers(await runSeedClient(server!.url));
    });
  });

  describe.skipIf(!hasErlang)("against the Erlang skeleton", () => {
    let server: ServerProcess | undefined;
    beforeAll(async () => {
      server = await startServerProcess("bin/start", ["--port", "0"], {
        cwd: join(checkoutTemplates, "erlang"),
        env: { POLYBRIDGE_AUTH_TOKENS: "", POLYBRIDGE_AUTH_TOKENS_FILE: "" },
        timeoutMs: 90_000,
      });
    }, 100_000);
    afterAll(async () => {
      await server?.stop();
    });

    it("gets the call's output and the finished job", async () => {
      expectCorrectAnswers(await runSeedClient(server!.url));
    });
  });
});
