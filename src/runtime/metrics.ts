/**
 * Metrics in the Prometheus text exposition format: counters, gauges and histograms with labels, plus the
 * runtime's own series (reconcile count and duration per kind and result, queue depth, API latency).
 */

type Labels = Record<string, string>;

const defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function labelKey(l: Labels): string {
  return Object.keys(l)
    .sort()
    .map((k) => `${k}="${String(l[k]).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : "-Inf";
}

interface Series {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  render(): string[];
}

export class Counter implements Series {
  readonly type = "counter";
  readonly name: string;
  readonly help: string;
  private readonly values = new Map<string, number>();
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ""} ${fmt(v)}`);
  }
}

export class Gauge implements Series {
  readonly type = "gauge";
  readonly name: string;
  readonly help: string;
  private readonly values = new Map<string, number>();
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  set(labels: Labels, v: number): void {
    this.values.set(labelKey(labels), v);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ""} ${fmt(v)}`);
  }
}

export class Histogram implements Series {
  readonly type = "histogram";
  readonly name: string;
  readonly help: string;
  private readonly buckets: number[];
  private readonly values = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(name: string, help: string, buckets: number[] = defaultBuckets) {
    this.name = name;
    this.help = help;
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  observe(labels: Labels, v: number): void {
    const k = labelKey(labels);
    let s = this.values.get(k);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.values.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++)
      if (v <= (this.buckets[i] as number)) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += v;
    s.count++;
  }
  count(labels: Labels = {}): number {
    return this.values.get(labelKey(labels))?.count ?? 0;
  }
  render(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.values) {
      const sep = k ? "," : "";
      this.buckets.forEach((b, i) => {
        out.push(`${this.name}_bucket{${k}${sep}le="${fmt(b)}"} ${s.counts[i]}`);
      });
      out.push(`${this.name}_bucket{${k}${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ""} ${s.sum}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ""} ${s.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly series: Series[] = [];
  register<T extends Series>(s: T): T {
    this.series.push(s);
    return s;
  }
  /** The whole registry in text exposition format 0.0.4. */
  expose(): string {
    const lines: string[] = [];
    for (const s of this.series) {
      lines.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`, ...s.render());
    }
    return `${lines.join("\n")}\n`;
  }
}

/** The runtime's series, in one registry the manager serves on /metrics. */
export class RuntimeMetrics {
  readonly registry: MetricsRegistry;
  readonly reconcileTotal: Counter;
  readonly reconcileDuration: Histogram;
  readonly queueDepthGauge: Gauge;
  readonly apiLatency: Histogram;

  constructor(registry: MetricsRegistry = new MetricsRegistry()) {
    this.registry = registry;
    this.reconcileTotal = registry.register(
      new Counter("ferry_reconcile_total", "Reconciles per kind and result."),
    );
    this.reconcileDuration = registry.register(
      new Histogram("ferry_reconcile_duration_seconds", "Reconcile duration per kind and result."),
    );
    this.queueDepthGauge = registry.register(
      new Gauge("ferry_workqueue_depth", "Keys waiting in each controller's queue."),
    );
    this.apiLatency = registry.register(
      new Histogram(
        "ferry_api_request_duration_seconds",
        "Kubernetes API request latency per verb and status code.",
      ),
    );
  }

  observeReconcile(kind: string, result: string, seconds: number): void {
    this.reconcileTotal.inc({ kind, result });
    this.reconcileDuration.observe({ kind, result }, seconds);
  }

  queueDepth(queue: string, depth: number): void {
    this.queueDepthGauge.set({ name: queue }, depth);
  }

  /** Pass as `KubeClientOptions.onRequest`. */
  observeRequest = (info: { method: string; statusCode: number; durationMs: number }): void => {
    this.apiLatency.observe({ verb: info.method, code: String(info.statusCode) }, info.durationMs / 1000);
  };
}
