import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoDir = fileURLToPath(new URL("../../../", import.meta.url));

// Every ```ts block of the section, in order: the front-end example, then the one with tokens.
async function sectionBlocks(): Promise<string[]> {
  const readme = await readFile(`${repoDir}sdk/README.md`, "utf8");
  const section = /## Testing your front end\n([\s\S]*?)(?=\n## |$)/.exec(readme)?.[1] ?? "";
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

async function runBlock(block: string, name: string): Promise<string> {
  // Inside the sdk package so `@polybridge/sdk/...` resolves the way it does for users.
  const file = `sdk/test/msw/readme-${name}.${process.pid}.tmp.test.ts`;
  await writeFile(`${repoDir}${file}`, block);
  try {
    const vitest = `${repoDir}node_modules/vitest/vitest.mjs`;
    const { stdout } = await run(process.execPath, [vitest, "run", file], { cwd: repoDir, timeout: 80_000, env: { ...process.env, NO_COLOR: "1" } });
    return stdout;
  } finally {
    await rm(`${repoDir}${file}`, { force: true });
  }
}

describe("README: Testing your front end", () => {
  it("has the front-end example and the one with tokens", async () => {
    expect((await sectionBlocks()).length, "README has two ```ts blocks under ## Testing your front end").toBe(2);
  });

  it("its vitest example passes as written", { timeout: 90_000 }, async () => {
    const [block] = await sectionBlocks();
    expect(await runBlock(block ?? "", "frontend")).toMatch(/Tests\s+2 passed \(2\)/);
  });

  it("its example with tokens passes as written", { timeout: 90_000 }, async () => {
    const [, block] = await sectionBlocks();
    expect(await runBlock(block ?? "", "frontend-auth")).toMatch(/Tests\s+2 passed \(2\)/);
  });
});
