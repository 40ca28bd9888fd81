import type { JobEngineEvent } from "@polybridge/core/engine";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { KeyedHistogram } from "./KeyedHistogram.js";

/** What a worker pool reports (LocalExecutor.stats()); undefined for executors without one here. */
export interface PoolStats {
  /** piscina's utilization: the share of the pool's capacity used since it started (0..1). */
  utilization: number;
  /** Tasks running on a worker now. */
  running: number;
  /** Tasks waiting for a worker. */
  queued: number;
  /** Worker threads. */
  threads: number;
}

/** Where the gauges read their values at scrape time. */
export interface MetricSources {
  jobs(): { queued: number; running: number; stored: number };
  store(): { resultChars: number; storedBytes: number };
  pool?: (() => PoolStats | undefined) | undefined;
}

// Process metrics (CPU, memory, event-loop delay, GC) describe the process, not one server: they
// are collected once per process, however many servers it starts (tests start many), and merged
// into each server's exposition.
let processRegistry: Registry | undefined;
/** The process's default metrics (prom-client's collectDefaultMetrics), one registry per process. */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const JOB_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800];

/**
 * The reference server's Prometheus metrics (prom-client), in a registry of its own so several
 * servers in one process keep separate counts. HTTP requests by route and status, jobs by kind and
 * final status, queue and running gauges, chunk durations, worker-pool use, worker crashes and
 * chunk re-runs, the store, and prom-client's default process metrics (event-loop delay among them;
 * shared by the servers of one process).
 *
 * @example
 * const metrics = new ServerMetrics();
 * const engine = new JobEngine({ executor, registry, onEvent: (e) => metrics.observeJob(e) });
 * metrics.watch({ jobs: () => engine.counts(), store: () => engine.storeUsage() });
 * const text = await metrics.exposition();
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #http: KeyedHistogram;
  readonly #submitted: Counter<"kind">;
  readonly #finished: Counter<"kind" | "status">;
  readonly #jobSeconds: KeyedHistogram;
  readonly #chunkSeconds: KeyedHistogram;
  readonly #chunkItems: Counter<"kind">;
  readonly #crashes: Counter;
  readonly #reruns: Counter;

  constructor() {
    const registers = [this.registry];
    this.#http = new KeyedHistogram({
      name: "polybridge_http_request_duration_seconds",
      help: "HTTP requests by method, route template (unmatched: no route) and status code.",
      buckets: SECONDS,
      registers,
    });
    this.#submitted = new Counter({ name: "polybridge_jobs_submitted_total", help: "Jobs accepted, by kind (idempotent replays not counted).", labelNames: ["kind"], registers });
    this.#finished = new Counter({ name: "polybridge_jobs_finished_total", help: "Jobs ended, by kind and final status (successful, failed, dismissed).", labelNames: ["kind", "status"], registers });
    this.#jobSeconds = new KeyedHistogram({
      name: "polybridge_job_duration_seconds",
      help: "Time from submission to the end of a job, by kind and final status.",
      buckets: JOB_SECONDS,
      registers,
    });
    this.#chunkSeconds = new KeyedHistogram({
      name: "polybridge_chunk_duration_seconds",
      help: "Time to compute one chunk, by job kind and where it ran (worker, or inline on the main thread).",
      buckets: SECONDS,
      registers,
    });
    this.#chunkItems = new Counter({ name: "polybridge_chunk_items_total", help: "Items computed in finished chunks, by job kind.", labelNames: ["kind"], registers });
    this.#crashes = new Counter({ name: "polybridge_worker_crashes_total", help: "Chunks whose worker died (exit, out of heap) or whose executor failed them.", registers });
    this.#reruns = new Counter({ name: "polybridge_chunk_reruns_total", help: "Chunks run again after their worker died.", registers });
  }

  /** The Prometheus text of this server's metrics and the process's. */
  exposition(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }

  /** The exposition's content type (text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** One answered request: `route` is the route template (`/v1/jobs/:id`), `unmatched` for none. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    // Runs on every request: a string key finds the series (the set is small: methods × routes ×
    // statuses); prom-client's Histogram would validate and hash a labels object each time.
    this.#http.observe(`${method} ${route} ${statusCode}`, { method, route, status_code: String(statusCode) }, seconds);
  }

  /** The engine's observer hook (JobEngineOptions.onEvent). */
  observeJob(event: JobEngineEvent): void {
    const kind = event.job.kind;
    switch (event.type) {
      case "submitted":
        this.#submitted.inc({ kind });
        break;
      case "finished":
        this.#finished.inc({ kind, status: event.job.status });
        this.#jobSeconds.observe(`${kind} ${event.job.status}`, { kind, status: event.job.status }, event.durationMs / 1000);
        break;
      case "chunk":
        this.#chunkSeconds.observe(`${kind} ${event.inProcess}`, { kind, where: event.inProcess ? "inline" : "worker" }, event.durationMs / 1000);
        this.#chunkItems.inc({ kind }, event.items);
        break;
      case "retry":
        this.#crashes.inc();
        if (event.rerun) this.#reruns.inc();
        break;
    }
  }

  /** Registers the gauges, read from `sources` at each scrape. */
  watch(sources: MetricSources): void {
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: () => number | undefined): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const value = read();
          if (value !== undefined) this.set(value);
        },
      });
    };
    gauge("polybridge_jobs_queued", "Jobs waiting to run (the queue depth).", () => sources.jobs().queued);
    gauge("polybridge_jobs_running", "Jobs running now.", () => sources.jobs().running);
    gauge("polybridge_jobs_stored", "Jobs kept (waiting, running and finished until their TTL).", () => sources.jobs().stored);
    gauge("polybridge_stored_result_bytes", "Results of finished jobs kept, in characters of JSON.", () => sources.store().resultChars);
    gauge("polybridge_store_bytes", "Estimated bytes of everything the job store keeps (results, records, event logs).", () => sources.store().storedBytes);
    if (sources.pool) poolGauges(this.registry, sources.pool);
  }
}

/** The worker-pool gauges (`polybridge_worker_pool_*`), read from `pool` at each scrape; shared by the server's and a `polybridge worker`'s metrics. */
export function poolGauges(registry: Registry, pool: () => PoolStats | undefined): void {
  const gauge = (name: string, help: string, read: () => number | undefined): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  };
  gauge("polybridge_worker_pool_utilization", "The worker pool's utilization (piscina: share of capacity used, 0..1).", () => pool()?.utilization);
  gauge("polybridge_worker_pool_running_tasks", "Chunks and calls running on a worker now.", () => pool()?.running);
  gauge("polybridge_worker_pool_queued_tasks", "Tasks waiting for a free worker.", () => pool()?.queued);
  gauge("polybridge_worker_pool_threads", "Worker threads in the pool.", () => pool()?.threads);
}
