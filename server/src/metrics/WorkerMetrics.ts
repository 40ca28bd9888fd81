import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JobKind } from "@polybridge/core";
import { Counter, Histogram, Registry } from "prom-client";
import { poolGauges, processMetrics, type PoolStats } from "./ServerMetrics.js";

/** Why a chunk taken by a worker did not produce a result. */
export type ChunkFailure = "item_failed" | "worker_crashed" | "cancelled";

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * A `polybridge worker` process's Prometheus metrics (prom-client): chunks processed and failed by
 * job kind, chunk durations on this machine's pool, the pool's gauges, worker crashes, and the
 * process's default metrics. Served by {@link WorkerMetrics.listen} at `GET /metrics`.
 *
 * @example
 * const metrics = new WorkerMetrics(() => pool.stats());
 * metrics.observeChunk("map", 0.012);
 * const url = await metrics.listen(9464, "127.0.0.1");
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly #processed: Counter<"kind">;
  readonly #failed: Counter<"kind" | "reason">;
  readonly #seconds: Histogram<"kind">;
  readonly #crashes: Counter;
  #server: Server | undefined;

  constructor(pool: () => PoolStats | undefined) {
    const registers = [this.registry];
    this.#processed = new Counter({ name: "polybridge_worker_chunks_processed_total", help: "Chunks this worker computed, by job kind.", labelNames: ["kind"], registers });
    this.#failed = new Counter({
      name: "polybridge_worker_chunks_failed_total",
      help: "Chunks this worker took that gave no result, by job kind and reason (item_failed: a function threw; worker_crashed: its thread died; cancelled: the server cancelled it).",
      labelNames: ["kind", "reason"],
      registers,
    });
    this.#seconds = new Histogram({ name: "polybridge_worker_chunk_duration_seconds", help: "Time this worker spent on one chunk (processed or failed), by job kind.", labelNames: ["kind"], buckets: SECONDS, registers });
    this.#crashes = new Counter({ name: "polybridge_worker_crashes_total", help: "Chunks whose worker thread died (exit, out of heap); BullMQ hands them out again.", registers });
    poolGauges(this.registry, pool);
  }

  /** One chunk done: without `failure` it was computed. */
  observeChunk(kind: JobKind, seconds: number, failure?: ChunkFailure): void {
    this.#seconds.observe({ kind }, seconds);
    if (failure === undefined) this.#processed.inc({ kind });
    else this.#failed.inc({ kind, reason: failure });
    if (failure === "worker_crashed") this.#crashes.inc();
  }

  /** The Prometheus text of this worker's metrics and the process's. */
  exposition(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }

  /** Serves `GET /metrics` on `host:port` (0: any free port); resolves to its URL. */
  async listen(port: number, host: string): Promise<string> {
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
        res.writeHead(path === "/metrics" ? 405 : 404, { "content-type": "text/plain; charset=utf-8" }).end(path === "/metrics" ? "use GET\n" : "not found: GET /metrics\n");
        return;
      }
      this.exposition().then(
        (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(req.method === "HEAD" ? undefined : text),
        (error: unknown) => res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`${String(error)}\n`),
      );
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `http://${shown}:${address.port}/metrics`;
  }

  /** Stops serving `/metrics`. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
