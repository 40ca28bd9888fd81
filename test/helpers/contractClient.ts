import { createResponseValidator } from "@polybridge/spec";
import { expect } from "vitest";

/** A response as the tests see it. */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

const check = createResponseValidator();

/**
 * A tiny HTTP client for end-to-end tests: every response is validated against
 * spec/openapi.yaml, so a test fails the moment the server breaks the contract.
 */
export function contractClient(baseUrl: string) {
  async function send(method: string, path: string, init: { json?: unknown; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(baseUrl + path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    const parsed = type.includes("json") ? JSON.parse(text) : text;
    const verdict = check({ method, path, status: res.status, contentType: type, body: parsed });
    expect(verdict.errors, `${method} ${path} → ${res.status} breaks the contract`).toEqual([]);
    return { status: res.status, headers: res.headers, body: parsed, text };
  }
  return {
    send,
    get: (path: string, headers?: Record<string, string>) => send("GET", path, { ...(headers ? { headers } : {}) }),
    post: (path: string, json: unknown, headers?: Record<string, string>) => send("POST", path, { json, ...(headers ? { headers } : {}) }),
    del: (path: string) => send("DELETE", path),
    /** Polls a job until it is terminal. */
    async settle(id: string, timeoutMs = 20_000): Promise<Reply> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const reply = await send("GET", `/v1/jobs/${id}`);
        if (["successful", "failed", "dismissed"].includes(reply.body.status)) return reply;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${reply.body.status}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Parses a complete SSE text into events (comments dropped, except counted as heartbeats). */
export function parseSse(text: string): { events: Array<{ id?: string; event?: string; data: any }>; heartbeats: number } {
  const events: Array<{ id?: string; event?: string; data: any }> = [];
  let heartbeats = 0;
  for (const block of text.split("\n\n")) {
    if (!block.trim()) continue;
    const fields: Record<string, string> = {};
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) heartbeats++;
      else {
        const i = line.indexOf(":");
        fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
      }
    }
    if (fields.data !== undefined) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
  }
  return { events, heartbeats };
}
