#!/usr/bin/env node
// Starts the server: `npm start -- --port 9000` (or PORT=9000 npm start). Your functions are in
// src/functions.ts; this file only wires the process up (docs/PROTOCOL.md process conventions).
import { startServer, stopOnSignals, type ServerOptions } from "@polybridge/server";
import { registerExtraRoutes } from "./extraRoutes.js";
import { routes } from "./gen/routes.js";
import { readSettings, type Settings } from "./readSettings.js";

let settings: Settings;
try {
  settings = readSettings(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`pbcompute: ${(error as Error).message}`);
  process.exit(2);
}

// `configure` adds the routes of operations beyond the protocol before the server listens.
const options: ServerOptions = {
  port: settings.port,
  host: settings.host,
  ...(settings.workers === undefined ? {} : { workers: settings.workers }),
  // functions.ts lists the conformance set itself, so the catalogue is exactly that file.
  skipBuiltins: true,
  functionModules: [new URL("./functions.js", import.meta.url).href],
  configure: (app) => registerExtraRoutes(app, routes),
};

const server = await startServer(options);
console.log(`polybridge listening on ${server.url}`);

// SIGTERM or Ctrl-C: refuse new jobs, let running ones finish within the grace period, exit 0.
stopOnSignals(server, { name: "pbcompute", graceMs: settings.shutdownGraceMs });
