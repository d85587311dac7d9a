import "server-only";
import type { Registry } from "prom-client";
import {
  emptyHistogram,
  histogramValues,
  observeHistogram,
  registerSnapshotMetric,
  type HistogramSnapshot,
  type SnapshotValue as MetricValue,
} from "../../platform/snapshot-metrics";

export { LATENCY_BUCKETS_SECONDS, type HistogramSnapshot } from "../../platform/snapshot-metrics";
import type { EdgeCall, NodeRef } from "./types";

/**
 * Self-telemetry under the ecosystem's names (OTel servicegraph connector / Tempo):
 * traces_service_graph_request_total, ..._failed_total, ..._server_seconds, ..._client_seconds
 * with labels client, server, connection_type. The writer thread keeps cumulative series and
 * posts a structured-cloneable snapshot; the main thread exposes it through prom-client.
 */
/** Series beyond this are folded into counters only (label cardinality stays bounded). */
export const MAX_METRIC_SERIES = 5000;

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
  /**
   * Only the series that changed since the previous snapshot (each with its cumulative values,
   * so applying one twice is harmless); `seriesReset` marks the first snapshot of a writer
   * thread, whose series start again from zero. Copying every series on every flush cost the
   * writer a quarter of a second per flush at 5,000 edges.
   */
  series: SeriesSnapshot[];
  seriesReset: boolean;
  overflowCalls: number;
  /** Peer nodes kept and calls whose peer was folded into an overflow node (peer-guard.ts). */
  peers: { known: number; foldedCalls: number };
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

/** Cumulative per-edge series, bounded by MAX_METRIC_SERIES. */
export class EdgeMetrics {
  private readonly series = new Map<string, SeriesSnapshot>();
  private readonly changed = new Set<SeriesSnapshot>();
  private taken = false;
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
      s = {
        client,
        server,
        connection_type: c.connectionType,
        total: 0,
        failed: 0,
        serverSeconds: emptyHistogram(),
        clientSeconds: emptyHistogram(),
      };
      this.series.set(key, s);
    }
    this.changed.add(s);
    if (c.merge) {
      if (c.serverMs !== null) observeHistogram(s.serverSeconds, c.serverMs / 1000);
      return;
    }
    s.total++;
    if (c.error) s.failed++;
    if (c.serverMs !== null) observeHistogram(s.serverSeconds, c.serverMs / 1000);
    if (c.clientMs !== null) observeHistogram(s.clientSeconds, c.clientMs / 1000);
  }

  /** Copies of the series changed since the last call, and whether this is the first call. */
  takeChangedSeries(): { series: SeriesSnapshot[]; reset: boolean } {
    const series = [...this.changed].map(copySeries);
    this.changed.clear();
    const reset = !this.taken;
    this.taken = true;
    return { series, reset };
  }
}

function copySeries(s: SeriesSnapshot): SeriesSnapshot {
  const h = (x: HistogramSnapshot): HistogramSnapshot => ({ ...x, buckets: [...x.buckets] });
  return { ...s, serverSeconds: h(s.serverSeconds), clientSeconds: h(s.clientSeconds) };
}

/**
 * The main thread's view of the writer's per-edge series: every snapshot the writer posts is
 * applied in order (they carry only changed series), and /metrics reads the merged book.
 */
export class EdgeSeriesBook {
  private readonly series = new Map<string, SeriesSnapshot>();
  private latest: ServiceGraphSnapshot | null = null;

  apply(snap: ServiceGraphSnapshot | undefined): void {
    if (!snap) return;
    if (snap.seriesReset) this.series.clear();
    for (const s of snap.series) this.series.set(`${s.client}\u0000${s.server}\u0000${s.connection_type}`, s);
    this.latest = snap;
  }

  /** The latest snapshot with every series known so far (null before the first one). */
  snapshot(): ServiceGraphSnapshot | null {
    return this.latest && { ...this.latest, series: [...this.series.values()] };
  }
}

function seriesHistograms(
  name: string,
  snap: ServiceGraphSnapshot | null,
  pick: (s: SeriesSnapshot) => HistogramSnapshot,
): MetricValue[] {
  return (snap?.series ?? []).flatMap((s) =>
    histogramValues(name, { client: s.client, server: s.server, connection_type: s.connection_type }, pick(s)),
  );
}

/**
 * Registers the service-graph metrics on the main thread's registry. `getSnapshot` returns the
 * latest snapshot the writer thread posted (null before the first one).
 */
export function registerServiceGraphMetrics(
  registry: Registry,
  getSnapshot: () => ServiceGraphSnapshot | null | undefined,
): void {
  const snap = () => getSnapshot() ?? null;
  const perSeries = (pick: (s: SeriesSnapshot) => number) => (): MetricValue[] =>
    (snap()?.series ?? []).map((s) => ({
      labels: { client: s.client, server: s.server, connection_type: s.connection_type },
      value: pick(s),
    }));
  const pairing =
    (pick: (p: ServiceGraphSnapshot["pairing"]) => number, labels: Record<string, string> = {}) =>
    (): MetricValue[] => {
      const p = snap()?.pairing;
      return p ? [{ labels, value: pick(p) }] : [];
    };
  const metrics: [string, string, "counter" | "gauge" | "histogram", () => MetricValue[]][] = [
    [
      "traces_service_graph_request_total",
      "Requests between two nodes of the service graph.",
      "counter",
      perSeries((s) => s.total),
    ],
    [
      "traces_service_graph_request_failed_total",
      "Failed requests between two nodes of the service graph.",
      "counter",
      perSeries((s) => s.failed),
    ],
    [
      "traces_service_graph_request_server_seconds",
      "Server-side request latency between two nodes.",
      "histogram",
      () => seriesHistograms("traces_service_graph_request_server_seconds", snap(), (s) => s.serverSeconds),
    ],
    [
      "traces_service_graph_request_client_seconds",
      "Client-side request latency between two nodes.",
      "histogram",
      () => seriesHistograms("traces_service_graph_request_client_seconds", snap(), (s) => s.clientSeconds),
    ],
    [
      "traces_service_graph_unpaired_spans_total",
      "Span halves that expired without a partner.",
      "counter",
      () => [
        ...pairing((p) => p.unpairedClient, { kind: "client" })(),
        ...pairing((p) => p.unpairedServer, { kind: "server" })(),
      ],
    ],
    [
      "traces_service_graph_virtual_node_total",
      "Client halves drawn as a typed virtual node.",
      "counter",
      pairing((p) => p.virtual),
    ],
    [
      "traces_service_graph_expired_edges_total",
      "Halves that reached the pairing wait without a partner.",
      "counter",
      pairing((p) => p.expired),
    ],
    [
      "traces_service_graph_dropped_spans_total",
      "Halves refused because the pairing store was full or duplicated.",
      "counter",
      pairing((p) => p.dropped),
    ],
    [
      "traces_service_graph_paired_total",
      "Client and server halves matched in memory.",
      "counter",
      pairing((p) => p.paired),
    ],
    ["traces_service_graph_pending_items", "Halves waiting in the pairing store.", "gauge", pairing((p) => p.pending)],
  ];
  for (const [name, help, type, values] of metrics) registerSnapshotMetric(registry, name, help, type, values);
}
