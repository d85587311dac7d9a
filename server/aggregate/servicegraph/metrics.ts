import "server-only";
import type { Registry } from "prom-client";
import type { EdgeCall, NodeRef } from "./types";

/**
 * Self-telemetry under the ecosystem's names (OTel servicegraph connector / Tempo):
 * traces_service_graph_request_total, ..._failed_total, ..._server_seconds, ..._client_seconds
 * with labels client, server, connection_type. The writer thread keeps cumulative series and
 * posts a structured-cloneable snapshot; the main thread exposes it through prom-client.
 */
export const LATENCY_BUCKETS_SECONDS = [0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15];
/** Series beyond this are folded into counters only (label cardinality stays bounded). */
export const MAX_METRIC_SERIES = 5000;

export interface HistogramSnapshot {
  /** Cumulative-per-bucket counts aligned with LATENCY_BUCKETS_SECONDS (le), without +Inf. */
  buckets: number[];
  sum: number;
  count: number;
}

export interface SeriesSnapshot {
  client: string;
  server: string;
  connection_type: string;
  total: number;
  failed: number;
  serverSeconds: HistogramSnapshot;
  clientSeconds: HistogramSnapshot;
}

export type ServiceGraphSnapshot = {
  series: SeriesSnapshot[];
  overflowCalls: number;
  pairing: {
    observed: number;
    paired: number;
    expired: number;
    dropped: number;
    duplicates: number;
    unpairedClient: number;
    unpairedServer: number;
    virtual: number;
    pending: number;
    lateLookups: number;
    lookupsSkipped: number;
    flushErrors: number;
  };
};

function label(n: NodeRef): string {
  return n.kind === "service" || n.kind === "client" ? n.name : n.id;
}

function emptyHistogram(): HistogramSnapshot {
  return { buckets: LATENCY_BUCKETS_SECONDS.map(() => 0), sum: 0, count: 0 };
}

function observe(h: HistogramSnapshot, seconds: number): void {
  h.sum += seconds;
  h.count++;
  for (let i = 0; i < LATENCY_BUCKETS_SECONDS.length; i++) if (seconds <= LATENCY_BUCKETS_SECONDS[i]!) h.buckets[i]!++;
}

/** Cumulative per-edge series, bounded by MAX_METRIC_SERIES. */
export class EdgeMetrics {
  private readonly series = new Map<string, SeriesSnapshot>();
  overflowCalls = 0;

  record(c: EdgeCall): void {
    if (c.connect) return;
    const client = label(c.source);
    const server = label(c.target);
    const key = `${client}\u0000${server}\u0000${c.connectionType}`;
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= MAX_METRIC_SERIES) {
        this.overflowCalls++;
        return;
      }
      s = { client, server, connection_type: c.connectionType, total: 0, failed: 0, serverSeconds: emptyHistogram(), clientSeconds: emptyHistogram() };
      this.series.set(key, s);
    }
    s.total++;
    if (c.error) s.failed++;
    if (c.serverMs !== null) observe(s.serverSeconds, c.serverMs / 1000);
    if (c.clientMs !== null) observe(s.clientSeconds, c.clientMs / 1000);
  }

  snapshotSeries(): SeriesSnapshot[] {
    return [...this.series.values()].map((s) => structuredClone(s));
  }
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** A prom-client compatible metric object whose values come from the latest snapshot. */
function customMetric(name: string, help: string, type: "counter" | "gauge" | "histogram", values: () => MetricValue[]) {
  return {
    name,
    help,
    type,
    aggregator: "sum" as const,
    get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
    reset: () => {},
  };
}

function histogramValues(name: string, snap: ServiceGraphSnapshot | null, pick: (s: SeriesSnapshot) => HistogramSnapshot): MetricValue[] {
  const out: MetricValue[] = [];
  for (const s of snap?.series ?? []) {
    const h = pick(s);
    if (h.count === 0) continue;
    const labels = { client: s.client, server: s.server, connection_type: s.connection_type };
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => out.push({ labels: { ...labels, le }, value: h.buckets[i]!, metricName: `${name}_bucket` }));
    out.push({ labels: { ...labels, le: "+Inf" }, value: h.count, metricName: `${name}_bucket` });
    out.push({ labels, value: h.sum, metricName: `${name}_sum` });
    out.push({ labels, value: h.count, metricName: `${name}_count` });
  }
  return out;
}

/**
 * Registers the service-graph metrics on the main thread's registry. `getSnapshot` returns the
 * latest snapshot the writer thread posted (null before the first one).
 */
export function registerServiceGraphMetrics(registry: Registry, getSnapshot: () => ServiceGraphSnapshot | null | undefined): void {
  const snap = () => getSnapshot() ?? null;
  const perSeries = (pick: (s: SeriesSnapshot) => number) => (): MetricValue[] =>
    (snap()?.series ?? []).map((s) => ({ labels: { client: s.client, server: s.server, connection_type: s.connection_type }, value: pick(s) }));
  const pairing = (pick: (p: ServiceGraphSnapshot["pairing"]) => number, labels: Record<string, string> = {}) => (): MetricValue[] => {
    const p = snap()?.pairing;
    return p ? [{ labels, value: pick(p) }] : [];
  };
  const metrics = [
    customMetric("traces_service_graph_request_total", "Requests between two nodes of the service graph.", "counter", perSeries((s) => s.total)),
    customMetric("traces_service_graph_request_failed_total", "Failed requests between two nodes of the service graph.", "counter", perSeries((s) => s.failed)),
    customMetric("traces_service_graph_request_server_seconds", "Server-side request latency between two nodes.", "histogram", () =>
      histogramValues("traces_service_graph_request_server_seconds", snap(), (s) => s.serverSeconds)),
    customMetric("traces_service_graph_request_client_seconds", "Client-side request latency between two nodes.", "histogram", () =>
      histogramValues("traces_service_graph_request_client_seconds", snap(), (s) => s.clientSeconds)),
    customMetric("traces_service_graph_unpaired_spans_total", "Span halves that expired without a partner.", "counter", () => [
      ...pairing((p) => p.unpairedClient, { kind: "client" })(),
      ...pairing((p) => p.unpairedServer, { kind: "server" })(),
    ]),
    customMetric("traces_service_graph_virtual_node_total", "Client halves drawn as a typed virtual node.", "counter", pairing((p) => p.virtual)),
    customMetric("traces_service_graph_expired_edges_total", "Halves that reached the pairing wait without a partner.", "counter", pairing((p) => p.expired)),
    customMetric("traces_service_graph_dropped_spans_total", "Halves refused because the pairing store was full or duplicated.", "counter", pairing((p) => p.dropped)),
    customMetric("traces_service_graph_paired_total", "Client and server halves matched in memory.", "counter", pairing((p) => p.paired)),
    customMetric("traces_service_graph_pending_items", "Halves waiting in the pairing store.", "gauge", pairing((p) => p.pending)),
  ];
  for (const m of metrics) registry.registerMetric(m as unknown as Parameters<Registry["registerMetric"]>[0]);
}
