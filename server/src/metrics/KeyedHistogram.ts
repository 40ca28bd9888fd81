import type { Registry } from "prom-client";

interface Series {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative), the last slot for values above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

type Value = { labels: Record<string, string | number>; sharedLabels?: Record<string, string>; value: number; metricName: string };

/**
 * A Prometheus histogram for values observed on every request or job. prom-client's `Histogram` (even
 * through a `labels()` child) validates and hashes the label set on each `observe`; here a series
 * is found by a caller-made string key, and an observation is a bucket search and three additions.
 * It registers like any prom-client metric and exposes the same text (`_bucket` with `le`, `_sum`,
 * `_count` per label set).
 *
 * @example
 * const h = new KeyedHistogram({ name: "x_seconds", help: "…", buckets: [0.1, 1], registers: [registry] });
 * h.observe("GET /", { method: "GET", route: "/" }, 0.02);
 */
export class KeyedHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly name: string;
  readonly help: string;
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(options: { name: string; help: string; buckets: readonly number[]; registers: readonly Registry[] }) {
    this.name = options.name;
    this.help = options.help;
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  /** One observation of the series `key`; `labels` are read only the first time a key is seen. */
  observe(key: string, labels: Record<string, string>, value: number): void {
    let series = this.#series.get(key);
    if (!series) {
      series = { labels, counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    series.counts[i]! += 1;
    series.sum += value;
    series.count += 1;
  }

  /** prom-client's export shape for the text format (bucket labels apart from the series' labels). */
  getForPromString(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values: Value[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i]!;
        values.push({ labels: { le }, sharedLabels: series.labels, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: "+Inf" }, sharedLabels: series.labels, value: series.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** prom-client's JSON shape (`registry.getMetricsAsJSON()`): labels merged. */
  get(): ReturnType<KeyedHistogram["getForPromString"]> {
    const data = this.getForPromString();
    data.values = data.values.map(({ labels, sharedLabels, value, metricName }) => ({ labels: { ...sharedLabels, ...labels }, value, metricName }));
    return data;
  }

  /** Forgets every series (prom-client's `reset`). */
  reset(): void {
    this.#series.clear();
  }
}
