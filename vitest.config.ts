import { defineConfig } from "vitest/config";

// One run for every package: unit tests live next to the code or in a package's test/,
// end-to-end tests in the top-level test/. Packages are imported from their built dist/.
export default defineConfig({
  test: {
    include: ["{core,spec,server,sdk,codegen,bench}/{src,test}/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "server-template/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
