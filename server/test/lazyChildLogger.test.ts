import { Writable } from "node:stream";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { lazyChildLogger } from "../src/http/lazyChildLogger.js";

/** A fastify app logging at `level` into an array of parsed lines. */
function app(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const server = Fastify({ logger: { level, stream }, childLoggerFactory: lazyChildLogger, disableRequestLogging: true });
  server.get("/", async (request) => {
    request.log.debug({ step: 1 }, "debug line");
    request.log.info({ step: 2 }, "info line");
    request.log.child({ extra: true }).warn("child line");
    return { level: request.log.level };
  });
  return { server, lines };
}

describe("lazyChildLogger", () => {
  it("writes enabled lines with the request id, drops disabled ones, and keeps the level and child()", async () => {
    const { server, lines } = app("info");
    const res = await server.inject({ method: "GET", url: "/" });
    expect(res.json()).toEqual({ level: "info" });
    const mine = lines.filter((l) => l.msg !== undefined && String(l.msg).endsWith("line"));
    // fastify's own ids here: req-1 for the first request.
    expect(mine.map((l) => [l.msg, l.reqId, l.step ?? l.extra])).toEqual([
      ["info line", "req-1", 2],
      ["child line", "req-1", true],
    ]);
    await server.close();
  });

  it("writes debug lines when the level is debug", async () => {
    const { server, lines } = app("debug");
    await server.inject({ method: "GET", url: "/" });
    expect(lines.filter((l) => l.msg === "debug line")).toHaveLength(1);
    await server.close();
  });
});
