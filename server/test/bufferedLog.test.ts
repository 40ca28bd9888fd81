import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { bufferedLog, LOG_FLUSH_MS } from "../src/bufferedLog.js";

let dir: string;
let fd: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-log-"));
  fd = openSync(join(dir, "log"), "a");
  // Only the flush timer is faked: sonic-boom's writes stay real.
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
});
afterEach(() => {
  vi.useRealTimers();
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

const written = (): string[] => readFileSync(join(dir, "log"), "utf8").split("\n").filter(Boolean).map((line) => (JSON.parse(line) as { msg: string }).msg);
/** Real time for any write already issued to land. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

it("holds info lines until the flush timer, writes warn and above at once, and what is left on close", async () => {
  const log = bufferedLog(fd);
  const stream = log.options.stream as unknown as NodeJS.EventEmitter;
  const logger = pino({ level: "info", hooks: log.options.hooks }, log.options.stream); // as fastify passes them
  logger.info("a");
  logger.info("b");
  await settle();
  expect(written()).toEqual([]);
  vi.advanceTimersByTime(LOG_FLUSH_MS);
  await once(stream, "write");
  expect(written()).toEqual(["a", "b"]);

  logger.info("c");
  logger.warn("d");
  await once(stream, "write");
  expect(written()).toEqual(["a", "b", "c", "d"]);

  logger.info("e");
  log.close();
  await once(stream, "write");
  expect(written()).toEqual(["a", "b", "c", "d", "e"]);
  expect(vi.getTimerCount()).toBe(0);
});

it("writes as soon as 4 KiB wait, without the timer", async () => {
  const log = bufferedLog(fd);
  const logger = pino({ level: "info", hooks: log.options.hooks }, log.options.stream); // as fastify passes them
  const wrote = once(log.options.stream as unknown as NodeJS.EventEmitter, "write");
  for (let i = 0; i < 20; i++) logger.info(`line ${i} ${"x".repeat(300)}`);
  await wrote;
  // The first 4 KiB went out on their own; the rest wait for the timer.
  const first = written().length;
  expect(first).toBeGreaterThan(5);
  expect(first).toBeLessThan(20);
  await settle();
  expect(written()).toHaveLength(first);
  vi.advanceTimersByTime(LOG_FLUSH_MS);
  await once(log.options.stream as unknown as NodeJS.EventEmitter, "write");
  expect(written()).toHaveLength(20);
});
