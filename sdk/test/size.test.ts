import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const BUDGET_BYTES = 10 * 1024;

// What a front-end bundler does with `import { createClient } from "@polybridge/sdk"` in a browser:
// resolve the `browser` condition, tree-shake, minify, split the lazily loaded validator out.
async function bundle(code: string): Promise<{ entry: number; chunks: number; inputs: string[] }> {
  const result = await build({
    stdin: { contents: code, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    splitting: true,
    outdir: "/virtual-out",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const meta: Metafile = result.metafile;
  const gz = (path: string): number => {
    const file = result.outputFiles.find((f) => f.path.endsWith(path.replace(/^.*\//, "/")));
    if (!file) throw new Error(`no output ${path}`);
    return gzipSync(file.contents, { level: 9 }).length;
  };
  const entryPath = Object.keys(meta.outputs).find((k) => k.endsWith("stdin.js"));
  if (!entryPath) throw new Error("no entry chunk");
  const entryMeta = meta.outputs[entryPath];
  // What loads up front: the entry plus the chunks it imports statically (not the dynamic ones).
  const eager = [entryPath, ...(entryMeta?.imports ?? []).filter((i) => i.kind === "import-statement").map((i) => i.path)];
  return {
    entry: eager.reduce((sum, path) => sum + gz(path), 0),
    chunks: result.outputFiles.length,
    inputs: eager.flatMap((path) => Object.keys(meta.outputs[path]?.inputs ?? {})),
  };
}

describe("browser bundle size", () => {
  it(`createClient without validation is at most ${BUDGET_BYTES} bytes min+gz and pulls in neither zod nor undici`, async () => {
    const { entry, inputs } = await bundle(`
      import { createClient, PolybridgeError } from "@polybridge/sdk";
      const client = createClient({ baseUrl: location.origin });
      client.jobs.run({ kind: "map", function: "square", input: { items: [1] } }).catch((e) => PolybridgeError.from(e));
      client.call("square", 2).then(console.log);
    `);
    expect(inputs.some((i) => i.includes("node_modules/zod"))).toBe(false);
    expect(inputs.some((i) => i.includes("undici"))).toBe(false);
    expect(inputs.some((i) => i.includes("eventsource-parser"))).toBe(true);
    expect(entry).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("loads validation (zod + generated schemas) as a separate chunk only when asked for", async () => {
    const { chunks } = await bundle(`
      import { createClient } from "@polybridge/sdk/browser";
      createClient({ baseUrl: location.origin, validate: "strict" }).getHealth();
    `);
    expect(chunks).toBeGreaterThan(1);
  });
});
