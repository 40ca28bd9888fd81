import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoDir = fileURLToPath(new URL("../../../", import.meta.url));

describe("README: Testing your front end", () => {
  it("its vitest example passes as written", { timeout: 90_000 }, async () => {
    const readme = await readFile(`${repoDir}sdk/README.md`, "utf8");
    const block = /## Testing your front end\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, "README has a ```ts block under ## Testing your front end").toBeDefined();
    // Inside the sdk package so `@polybridge/sdk/...` resolves the way it does for users.
    const file = `sdk/test/msw/readme-frontend.${process.pid}.tmp.test.ts`;
    await writeFile(`${repoDir}${file}`, block ?? "");
    try {
      const vitest = `${repoDir}node_modules/vitest/vitest.mjs`;
      const { stdout } = await run(process.execPath, [vitest, "run", file], { cwd: repoDir, timeout: 80_000, env: { ...process.env, NO_COLOR: "1" } });
      expect(stdout).toMatch(/Tests\s+2 passed \(2\)/);
    } finally {
      await rm(`${repoDir}${file}`, { force: true });
    }
  });
});
