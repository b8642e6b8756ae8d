/**
 * Metrics: counters and histograms, written in the Prometheus text format
 * (prometheus.io/docs/instrumenting/exposition_formats, version 0.0.4).
 *
 * Rules of the format that matter here:
 * - each family is `# HELP name text` and `# TYPE name counter|histogram`,
 *   then one line per series: `name{label="value",…} number`;
 * - label values escape `\`, `"` and newline as `\\`, `\"` and `\n`;
 * - a histogram writes cumulative `name_bucket{le="…"}` lines in increasing
 *   order ending with `le="+Inf"`, then `name_sum` and `name_count`.
 * Labels are fixed per family and their values come from a small closed set
 * (endpoint, status), never from module paths: a label per module would grow
 * without bound and tell anyone who can read `/metrics` which private
 * modules exist.
 */

/** Counter is a monotonically increasing number per label set. */
export class Counter {
  readonly #values = new Map<string, { labels: string[]; value: number }>();
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {}

  /** inc adds n (default 1) to the series with these label values, in `labelNames` order. */
  inc(labels: readonly string[], n = 1): void {
    const key = seriesKey(labels);
    const series = this.#values.get(key);
    if (series) series.value += n;
    else this.#values.set(key, { labels: [...labels], value: n });
  }

  /** get returns the current value of one series; 0 if it was never incremented. */
  get(labels: readonly string[]): number {
    return this.#values.get(seriesKey(labels))?.value ?? 0;
  }

  render(): string {
    let out = header(this.name, this.help, "counter");
    for (const { labels, value } of this.#values.values()) {
      out += `${this.name}${labelText(this.labelNames, labels)} ${value}\n`;
    }
    return out;
  }
}

interface HistogramSeries {
  labels: string[];
  counts: number[];
  sum: number;
  count: number;
}

/** Histogram counts observations into fixed buckets per label set. */
export class Histogram {
  readonly #series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** buckets are upper bounds, increasing; `+Inf` is implied. */
    readonly buckets: readonly number[],
  ) {}

  /** observe records one value in the series with these label values. */
  observe(labels: readonly string[], value: number): void {
    const key = seriesKey(labels);
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, s = { labels: [...labels], counts: this.buckets.map(() => 0), sum: 0, count: 0 });
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]) {
        s.counts[i]++;
        break;
      }
    }
    s.sum += value;
    s.count++;
  }

  /** count returns how many values one series has observed. */
  count(labels: readonly string[]): number {
    return this.#series.get(seriesKey(labels))?.count ?? 0;
  }

  render(): string {
    let out = header(this.name, this.help, "histogram");
    for (const s of this.#series.values()) {
      let cumulative = 0;
      for (const [i, bound] of this.buckets.entries()) {
        cumulative += s.counts[i];
        out += `${this.name}_bucket${labelText([...this.labelNames, "le"], [...s.labels, String(bound)])} ${cumulative}\n`;
      }
      out += `${this.name}_bucket${labelText([...this.labelNames, "le"], [...s.labels, "+Inf"])} ${s.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, s.labels)} ${s.sum}\n`;
      out += `${this.name}_count${labelText(this.labelNames, s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

/** LATENCY_BUCKETS suit answers from memory (sub-millisecond) up to cold zips (seconds), in seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * ProxyMetrics is what the proxy records. Endpoints are `list`, `latest`,
 * `info` (a canonical version), `query` (any other `.info`), `mod`, `zip`,
 * `go-get`, `metrics`, `healthz` and `other`.
 *
 * @example
 * const m = new ProxyMetrics();
 * m.builds.count(["zip"]); // 0: no zip built yet
 * m.render(); // "# HELP gomodproxy_requests_total …"
 */
export class ProxyMetrics {
  readonly requests = new Counter("gomodproxy_requests_total", "Requests answered, by endpoint and status.", ["endpoint", "status"]);
  readonly duration = new Histogram(
    "gomodproxy_request_duration_seconds",
    "Time to build or find the answer, before its body is sent, by endpoint.",
    ["endpoint"],
    LATENCY_BUCKETS,
  );
  readonly cacheHits = new Counter("gomodproxy_cache_hits_total", "Answers found in the cache, by endpoint.", ["endpoint"]);
  readonly cacheMisses = new Counter(
    "gomodproxy_cache_misses_total",
    "Answers not found in the cache (then built, or joined to a build in flight), by endpoint.",
    ["endpoint"],
  );
  readonly builds = new Histogram(
    "gomodproxy_build_duration_seconds",
    "Time to build an answer from the repository, including the cache write; one per build, by endpoint.",
    ["endpoint"],
    LATENCY_BUCKETS,
  );
  readonly bytes = new Counter("gomodproxy_response_bytes_total", "Body bytes of 200 answers with a known length (HEAD and 304 send none), by endpoint.", ["endpoint"]);
  readonly tagMoved = new Counter(
    "gomodproxy_tag_moved_total",
    "Requests for a pinned version whose tag moved or disappeared, by action (serve or refuse).",
    ["action"],
  );

  /** render writes every family in the Prometheus text format. */
  render(): string {
    return [this.requests, this.duration, this.cacheHits, this.cacheMisses, this.builds, this.bytes, this.tagMoved]
      .map((m) => m.render())
      .join("");
  }
}

/** METRICS_CONTENT_TYPE is the media type of the Prometheus text format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** seriesKey identifies a label set; one label is its own key. */
function seriesKey(labels: readonly string[]): string {
  if (labels.length === 1) return labels[0];
  if (labels.length === 2) return labels[0] + "\u0000" + labels[1];
  return labels.join("\u0000");
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${name} ${type}\n`;
}

function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return "";
  const pairs = names.map((n, i) => `${n}="${values[i].replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return `{${pairs.join(",")}}`;
}
