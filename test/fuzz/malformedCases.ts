import { createAjv, operations } from "@polybridge/spec";
import fc from "fast-check";
import { anything, oneOf, problem, rejected, type FuzzCase } from "./FuzzCase.js";
import { mutateJson, nest } from "./mutateJson.js";
import type { Schema } from "./schemaArbitrary.js";

const ajv = createAjv();
const bodyValidators = new Map<string, (value: unknown) => boolean>();

/** Whether a body satisfies the spec's request body schema of the operation at `path`. */
function bodyIsValid(path: string, value: unknown): boolean {
  const op = [...operations().values()].find((o) => o.method === "POST" && new RegExp(`^${o.path.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path));
  if (!op?.body) return false;
  let validate = bodyValidators.get(op.operationId);
  if (!validate) {
    const compiled = ajv.compile(op.body as Schema);
    validate = (v) => compiled(v);
    bodyValidators.set(op.operationId, validate);
  }
  return validate(value);
}

/** A quick, valid job to carry odd headers (the header is under test, not the job). */
const quickJob = JSON.stringify({ kind: "map", function: "square", input: { items: [1, 2, 3] } });

/** Invalid JSON texts: each must be `400 invalid_json`. */
const invalidJsonTexts = [
  "{", '{"input": 1', '{"input": 1}}', "{'input': 1}", '{"input": NaN}', '{"input": Infinity}', '{"input": -Infinity}', '{"input": 01}',
  '{"input": 1,}', '{"input": .5}', '{"input": "\u0001"}', '{"input": "\\u12"}', '// comment\n{"input": 1}', "nul", '{"input": 1} x',
'{"input": 1e}', '{"input": "\\x41"}', '{input: 1}', '{"input": [1,,2]}', "\u0000",
];

/** Byte sequences that are not UTF-8: lone continuation, truncated, overlong, surrogate, > U+10FFFF. */
const invalidUtf8 = [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xfe, 0xfe]];

// application/*+json and application/jsonrequest (the seed's client) are JSON by docs/PROTOCOL.md: they are among the odd but valid types below.
const wrongContentTypes = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonx", "json", "application/json+xml", "text/json"];

/** Malformed requests built from valid ones: body mutations checked against the spec, odd text, odd bytes. */
export function bodyMutationCases(valid: fc.Arbitrary<FuzzCase>): fc.Arbitrary<FuzzCase> {
  const withBody = valid.filter((c) => c.method === "POST" && typeof c.body === "string");
  const structural = withBody.chain((c) =>
    mutateJson(JSON.parse(c.body as string)).map((m): FuzzCase => {
      // The spec decides: a body its schema refuses must be refused; one it accepts may go either way.
      const expect = bodyIsValid(c.path, m.value) ? anything : rejected;
      return { generator: `mutation ${m.name}`, method: c.method, path: c.path, headers: c.headers, body: JSON.stringify(m.value), expect };
    }),
  );
  const badJson = fc.tuple(withBody, fc.constantFrom(...invalidJsonTexts)).map(([c, text]): FuzzCase => ({ generator: "invalid JSON text", method: c.method, path: c.path, headers: c.headers, body: text, expect: problem("invalid_json") }));
  const truncated = withBody
    .chain((c) => fc.integer({ min: 1, max: (c.body as string).length - 1 }).map((cut): FuzzCase => ({ generator: "truncated JSON", method: c.method, path: c.path, headers: c.headers, body: (c.body as string).slice(0, cut), expect: problem("invalid_json") })));
  const badBytes = fc.tuple(withBody, fc.constantFrom(...invalidUtf8)).map(([c, bytes]): FuzzCase => {
    // Inside the first string value, so the text would be valid JSON if the bytes were UTF-8.
    const text = c.body as string;
    const at = text.indexOf('"') + 1;
    const body = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]);
    return { generator: "invalid UTF-8", method: c.method, path: c.path, headers: c.headers, body, expect: problem("invalid_json") };
  });
  const wrongType = fc.tuple(withBody, fc.option(fc.constantFrom(...wrongContentTypes), { nil: undefined })).map(([c, type]): FuzzCase => {
    const { "content-type": _dropped, ...rest } = c.headers;
    return { generator: "wrong content-type", method: c.method, path: c.path, headers: type === undefined ? rest : { ...rest, "content-type": type }, body: c.body, expect: problem("unsupported_media_type") };
  });
  const oddButValidType = fc.tuple(withBody, fc.constantFrom("application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8", "application/json; charset=latin1", "application/jsonrequest", "application/json-patch+json")).map(
    ([c, type]): FuzzCase => ({ generator: "odd content-type", method: c.method, path: c.path, headers: { ...c.headers, "content-type": type }, body: c.body, expect: anything }),
  );
  // RFC 8259 §8.1 lets a parser ignore a byte order mark, so either answer is right; it must not break anything.
  const bom = withBody.map((c): FuzzCase => ({ generator: "BOM prefix", method: c.method, path: c.path, headers: c.headers, body: `\ufeff${c.body as string}`, expect: anything }));
  const notAnObject = fc.tuple(withBody, fc.constantFrom("null", "1", "[]", '"x"', "true", "[{}]")).map(([c, text]): FuzzCase => ({ generator: "JSON not an object", method: c.method, path: c.path, headers: c.headers, body: text, expect: rejected }));
  const deep = fc.tuple(withBody, fc.oneof(fc.integer({ min: 70, max: 3_000 }), fc.constant(200_000))).map(([c, depth]): FuzzCase => {
    const body = c.path.endsWith("/call") ? `{"input":${"[".repeat(depth)}${"]".repeat(depth)}}` : JSON.stringify(nest(JSON.parse(c.body as string), 1)).replace("{", `{"x":${"[".repeat(depth)}${"]".repeat(depth)},`);
    return { generator: "deep nesting", method: c.method, path: c.path, headers: c.headers, body, expect: problem("nesting_too_deep") };
  });
  return fc.oneof({ arbitrary: structural, weight: 8 }, badJson, truncated, { arbitrary: badBytes, weight: 2 }, wrongType, oddButValidType, bom, notAnObject, deep);
}

const jobPaths = ["/v1/jobs/%s", "/v1/jobs/%s/result", "/v1/jobs/%s/events"];
const functionPaths = ["/v1/functions/%s", "/v1/functions/%s/call"];
const badEscapes = ["%", "%zz", "%E0%A4%A", "%c0%af", "%ff", "%00", "%2e%2e", "%2F", "a%", "%%", "%u0041", "%ed%a0%80", "%F4%90%80%80"];

/** Path parameters that break the spec: bad percent-encoding, over-long ids and names, odd characters. */
export function pathCases(): fc.Arbitrary<FuzzCase> {
  const template = fc.constantFrom(...jobPaths, ...functionPaths);
  const method = (t: string) => (t.endsWith("/call") ? "POST" : "GET");
  const bodyOf = (t: string): Pick<FuzzCase, "headers" | "body"> => (t.endsWith("/call") ? { headers: { "content-type": "application/json" }, body: '{"input": 1}' } : { headers: {} });
  const badEscape = fc.tuple(template, fc.constantFrom(...badEscapes), fc.constantFrom("", "job", "a")).map(([t, esc, prefix]): FuzzCase => ({
    generator: "bad percent-encoding", method: method(t), path: t.replace("%s", prefix + esc), ...bodyOf(t),
    // A well-formed escape of an ordinary character (%2e%2e, %2F) names a missing id: 404 is right.
    expect: rejected,
  }));
  const long = fc.tuple(template, fc.constantFrom(65, 101, 999, 1_000, 1_001, 1_500, 5_000, 12_000), fc.constantFrom("a", "%41", "%C3%A9")).map(([t, n, unit]): FuzzCase => ({
    generator: n > 1_000 ? "path param > 1000 chars" : "long path param", method: method(t), path: t.replace("%s", unit.repeat(n)), ...bodyOf(t),
    expect: rejected,
  }));
  return fc.oneof(badEscape, long);
}

/** Query strings for `GET /v1/jobs` that break its parameter schemas, and odd but harmless ones. */
export function queryCases(): fc.Arbitrary<FuzzCase> {
  const invalid = ["limit=0", "limit=101", "limit=-1", "limit=abc", "limit=1.5", "limit=1e1000", "limit=", "status=bogus", "status=", "status=ACCEPTED", `cursor=${"c".repeat(201)}`, "cursor=%zz", "limit=99999999999999999999"];
  const odd = ["foo=1", "limit=1&limit=2", "%zz", "status[]=accepted", "&&&", "=", "cursor=", "limit=%31", "status=accepted&status=failed", "limit=+5", "limit=05", "a=%00"];
  return fc.oneof(
    fc.constantFrom(...invalid).map((q): FuzzCase => ({ generator: "bad query string", method: "GET", path: `/v1/jobs?${q}`, headers: {}, expect: rejected })),
    fc.constantFrom(...odd).map((q): FuzzCase => ({ generator: "odd query string", method: "GET", path: `/v1/jobs?${q}`, headers: {}, expect: anything })),
  );
}

/** Odd `Prefer` and `Idempotency-Key` values on a quick valid job. */
export function headerCases(): fc.Arbitrary<FuzzCase> {
  const prefers = ["wait=-1", "wait=abc", "wait=1e9", "wait=99999999999999999999", "respond-async, wait=1", "wait=", "wait=1.5", "handling=strict", "wait=0x10", "WAIT=1", "wait = 1", "respond-async; wait=1", ",,,", "wait=\u00e9", "wait=1, wait=2", "return=minimal"];
  // Prototype names catch a key store that is a plain object ("constructor" would seem taken).
  const keys = ["", " ", "k".repeat(256), "k".repeat(255), "\u00e9\u00ff", "a,b", "\"quoted\"", "key\twith\ttabs", "constructor", "__proto__", "toString", "propertyIsEnumerable"];
  const submit = (headers: Record<string, string>) => ({ method: "POST", path: "/v1/jobs", headers: { "content-type": "application/json", ...headers }, body: quickJob });
  return fc.oneof(
    fc.constantFrom(...prefers, "x".repeat(201)).map((prefer): FuzzCase => ({
      generator: "odd Prefer", ...submit({ prefer }),
      // The header schema caps Prefer at 200 characters; other odd values are just ignored preferences.
      expect: prefer.length > 200 ? rejected : oneOf([200, 202]),
    })),
    fc.tuple(fc.constantFrom(...keys), fc.nat()).map(([key, n]): FuzzCase => ({
      generator: "odd Idempotency-Key", ...submit({ "idempotency-key": key === "k".repeat(255) ? `${n}`.padEnd(255, "k") : key }),
      // minLength 1, maxLength 255 in the spec; a repeated odd key with the same quick job replays.
      // A blank value is trimmed to "" by HTTP parsers, so either answer is defensible.
      expect: key.length === 0 || key.length > 255 ? rejected : key.trim() === "" ? anything : oneOf([200, 202]),
    })),
  );
}

/** Wrong methods on known routes and unknown routes. */
export function routeCases(): fc.Arbitrary<FuzzCase> {
  const wrongMethod: [string, string][] = [["PUT", "/v1/jobs"], ["PATCH", "/v1/health"], ["DELETE", "/v1/functions"], ["POST", "/v1/health"], ["POST", "/v1/jobs/x"], ["PUT", "/v1/functions/square/call"], ["GET", "/v1/functions/square/call"], ["DELETE", "/v1/jobs/x/result"], ["POST", "/v1/jobs/x/events"]];
  // Not "/": the reference server's demo page lives there, outside the protocol (like /docs and /metrics).
  const unknown = ["/v1", "/v1/", "/v2/health", "/v1/nope", "/v1/jobs/x/y/z", "/v1/functions/square/call/x", "/v1//health", "/V1/HEALTH", "/v1/health/", "/favicon.ico", "/v1/jobs/x/result/"];
  return fc.oneof(
    fc.constantFrom(...wrongMethod).map(([method, path]): FuzzCase => ({ generator: "wrong method", method, path, headers: {}, expect: problem("method_not_allowed") })),
    fc.constantFrom(...unknown).map((path): FuzzCase => ({ generator: "unknown route", method: "GET", path, headers: {}, expect: oneOf([200], ["not_found"]) })),
  );
}

/** Requests no HTTP client would write; the server's parser must still answer with a problem. */
export function rawRequests(): FuzzCase[] {
  const raws: [string, string][] = [
    ["NUL in header", "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n"],
    ["unknown method", "FOO /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["bad HTTP version", "GET /v1/health HTTP/9.9\r\nHost: x\r\n\r\n"],
    ["space in path", "GET /v1/he alth HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["headers too large", `GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`],
    ["Content-Length and chunked", 'POST /v1/functions/square/call HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\nc\r\n{"input": 1}\r\n0\r\n\r\n'],
    ["bad Content-Length", "POST /v1/functions/square/call HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}"],
    ["bad chunk size", "POST /v1/functions/square/call HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"],
    ["missing Host", "GET /v1/health HTTP/1.1\r\n\r\n"],
    ["obs-fold header", "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"],
    ["empty request target", "GET  HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["space in header name", "GET /v1/health HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n"],
    ["CR in path", "GET /v1/jobs/a\rb HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["raw 0xff in path", "GET /v1/jobs/\u00ff HTTP/1.1\r\nHost: x\r\n\r\n"],
  ];
  return raws.map(([name, text]): FuzzCase => ({ generator: `raw: ${name}`, method: "RAW", path: "/", headers: {}, raw: Buffer.from(text, "latin1"), expect: rejected }));
}

/** The raw requests again, drawn at random (they are also sent once each as fixed cases). */
export function rawCases(): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...rawRequests());
}

/** A few fixed, costly limit cases, sent once per run rather than drawn at random. */
export function limitCases(): FuzzCase[] {
  const json = { "content-type": "application/json" };
  const bigItems = `{"kind":"map","function":"echo","input":{"items":[${"0,".repeat(1_000_000)}0]}}`;
  const hugeBody = `{"input":"${"x".repeat(16 * 1024 * 1024 + 10)}"}`;
  return [
    { generator: "limit: body over 16 MiB", method: "POST", path: "/v1/functions/echo/call", headers: json, body: hugeBody, expect: problem("payload_too_large") },
    { generator: "limit: 1,000,001 items", method: "POST", path: "/v1/jobs", headers: json, body: bigItems, expect: problem("too_many_items") },
    { generator: "limit: range of 10^9 values", method: "POST", path: "/v1/jobs", headers: json, body: JSON.stringify({ kind: "fold", function: "countPrimes", input: { range: { start: 0, end: 1e9 } } }), expect: problem("too_many_items") },
    { generator: "limit: brackets inside a string are not nesting", method: "POST", path: "/v1/functions/echo/call", headers: json, body: JSON.stringify({ input: `\\"${"[".repeat(200)}` }), expect: oneOf([200]) },
    { generator: "limit: empty body", method: "POST", path: "/v1/jobs", headers: json, body: "", expect: problem("invalid_json", "validation_failed") },
    { generator: "limit: duplicate keys", method: "POST", path: "/v1/jobs", headers: json, body: '{"kind":"fold","kind":"map","function":"square","input":{"items":[2]}}', expect: anything },
  ];
}
