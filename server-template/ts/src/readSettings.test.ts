import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_HOST, DEFAULT_PORT } from "./config.js";
import { readSettings } from "./readSettings.js";

test("defaults come from config.ts", () => {
  assert.deepEqual(readSettings([], {}), { port: DEFAULT_PORT, host: DEFAULT_HOST, shutdownGraceMs: 10_000 });
});

test("flags win over the environment, which wins over the defaults", () => {
  assert.equal(readSettings([], { PORT: "9000" }).port, 9000);
  assert.equal(readSettings(["--port", "0"], { PORT: "9000" }).port, 0);
  assert.equal(readSettings(["--host", "0.0.0.0"], { HOST: "::1" }).host, "0.0.0.0");
  assert.equal(readSettings([], { HOST: "::1", PORT: "" }).port, DEFAULT_PORT);
});

test("bad numbers are refused with the setting's name", () => {
  assert.throws(() => readSettings(["--port", "http"], {}), /port must be an integer/);
  assert.throws(() => readSettings([], { PORT: "70000" }), /port must be an integer in 0..65535/);
  assert.throws(() => readSettings(["--workers", "0"], {}), /workers/);
  assert.throws(() => readSettings(["--bogus"], {}), /bogus/);
});
