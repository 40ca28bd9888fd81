import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseResponses, rawHttp, requestMethods } from "../src/rawHttp.js";

const buf = (s: string): Buffer => Buffer.from(s, "utf8");

describe("parseResponses", () => {
  it("reads Content-Length, chunked and HEAD answers in order, skipping 100 Continue", () => {
    const wire =
      "HTTP/1.1 100 Continue\r\n\r\n" +
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi" +
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 99\r\n\r\n" +
      "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
    const { responses } = parseResponses(buf(wire), ["POST", "HEAD", "GET"], false);
    expect(responses.map((r) => [r.status, r.text])).toEqual([[200, "hi"], [200, ""], [400, "abcde"]]);
    expect(responses[2]?.headers["set-cookie"]).toBe("a, b");
  });

  it("counts a body without a length only once the server closed, and never a partial one", () => {
    const open = "HTTP/1.1 200 OK\r\n\r\nall of it";
    expect(parseResponses(buf(open), ["GET"], false).responses).toEqual([]);
    expect(parseResponses(buf(open), ["GET"], true).responses[0]?.text).toBe("all of it");
    expect(parseResponses(buf("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc"), ["GET"], true).responses).toEqual([]);
    expect(parseResponses(buf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"), ["GET"], true).responses).toEqual([]);
  });

  it("finds the method of each pipelined request", () => {
    expect(requestMethods("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n")).toEqual(["HEAD", "GET"]);
    expect(requestMethods("GARBAGE\r\n\r\n")).toEqual([]);
  });
});

describe("rawHttp", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(answer: (data: string, end: (text: string, close: boolean) => void) => void): Promise<URL> {
    server = createServer((socket) => {
      socket.once("data", (d: Buffer) => answer(d.toString(), (text, close) => (close ? socket.end(text) : socket.write(text))));
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  it("sends the bytes as written and sees the server close the socket", async () => {
    let got = "";
    const url = await serve((data, end) => {
      got = data;
      end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno", true);
    });
    const read = await rawHttp(url, "BAD\r\n\r\n", { responses: 1, untilClosed: true, timeoutMs: 2_000, signal: AbortSignal.timeout(5_000) });
    expect(got).toBe("BAD\r\n\r\n");
    expect(read).toMatchObject({ closed: true, responses: [{ status: 400, text: "no", headers: { connection: "close" } }] });
  });

  it("reports a socket left open as not closed, and stops early once the responses arrived", async () => {
    const url = await serve((_data, end) => end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false));
    const waited = await rawHttp(url, "GET / HTTP/1.1\r\n\r\n", { responses: 1, untilClosed: true, timeoutMs: 300, signal: AbortSignal.timeout(5_000) });
    expect(waited.closed).toBe(false);
    expect(waited.elapsedMs).toBeGreaterThanOrEqual(250);
    const early = await rawHttp(url, "GET / HTTP/1.1\r\n\r\n", { responses: 1, untilClosed: false, timeoutMs: 5_000, signal: AbortSignal.timeout(5_000) });
    expect(early.responses).toHaveLength(1);
    expect(early.elapsedMs).toBeLessThan(2_000);
  });
});
