#!/usr/bin/env node
// Baseline of bench/echo-throughput.mjs: a bare fastify app with one JSON echo route, nothing
// else (no schemas, no validation, no plugins). Prints `bare-fastify listening on URL`.
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.post("/echo", async (request) => ({ function: "echo", output: request.body.input, durationMs: 0 }));
await app.listen({ port: 0, host: "127.0.0.1" });
console.log(`bare-fastify listening on http://127.0.0.1:${app.server.address().port}`);
const stop = () => app.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
