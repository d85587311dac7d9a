import "server-only";
import type { SelfMetrics } from "../platform/self-metrics";
import { registerCounterFn, registerGaugeFn } from "../platform/self-metrics";
import { histogramValues, registerSnapshotMetric } from "../platform/snapshot-metrics";
import type { WriterClient } from "./writer/writer-client";
import { EdgeSeriesBook, registerServiceGraphMetrics, type ServiceGraphSnapshot } from "../aggregate/servicegraph";

/** Peer nodes kept and calls folded into an overflow peer node. */
export type PeerStats = ServiceGraphSnapshot["peers"];

/**
 * Exposes the writer thread's counters (sent as snapshots) on /metrics. `graphPeers` answers the
 * peer counts when the stored graph is not the writer's (on ClickHouse the leader's pairing passes
 * fold peers); null or absent: the writer's streaming graph.
 */
export function registerWriterMetrics(m: SelfMetrics, writer: WriterClient, graphPeers?: () => PeerStats | null): void {
  const s = () => writer.latestStats();
  const peersOf = (x: ReturnType<typeof s>) =>
    graphPeers?.() ?? (x?.aggregators.servicegraph as ServiceGraphSnapshot | undefined)?.peers;
  registerCounterFn(
    m.registry,
    "cartograph_spans_accepted_total",
    "Spans stored (first time seen).",
    () => s()?.spansStored ?? 0,
  );
  registerCounterFn(
    m.registry,
    "cartograph_spans_rejected_total",
    "Spans rejected by validation (partial success).",
    () => {
      const x = s();
      return x
        ? { invalid: x.spansRejected - x.spansUnstorable, duplicate: x.spansDuplicate, unstorable: x.spansUnstorable }
        : null;
    },
  );
  registerCounterFn(
    m.registry,
    "cartograph_points_accepted_total",
    "Metric data points stored.",
    () => s()?.pointsStored ?? 0,
  );
  registerCounterFn(
    m.registry,
    "cartograph_points_rejected_total",
    "Metric data points rejected, by reason (invalid, unstorable).",
    () => {
      const x = s();
      return x ? { invalid: x.pointsRejected - x.pointsUnstorable, unstorable: x.pointsUnstorable } : null;
    },
  );
  registerCounterFn(
    m.registry,
    "cartograph_store_write_failures_total",
    "Failed telemetry writes by SQLite error (disk full, read-only, I/O); ingest answered 503.",
    () => s()?.storeFailures ?? null,
    "code",
  );
  registerCounterFn(
    m.registry,
    "cartograph_logs_accepted_total",
    "Log records stored (first time seen).",
    () => s()?.logsStored ?? 0,
  );
  registerCounterFn(
    m.registry,
    "cartograph_logs_rejected_total",
    "Log records rejected by validation (partial success) or already stored.",
    () => {
      const x = s();
      return x ? { invalid: x.logsRejected, duplicate: x.logsDuplicate } : null;
    },
  );
  registerCounterFn(
    m.registry,
    "cartograph_attributes_limited_total",
    "Attribute values truncated or attributes dropped by the limits.",
    () => {
      const x = s();
      return x ? { truncated: x.attributesTruncated, dropped: x.attributesDropped } : null;
    },
  );
  registerCounterFn(
    m.registry,
    "cartograph_store_transactions_total",
    "Write transactions committed.",
    () => s()?.transactions ?? 0,
  );
  registerCounterFn(
    m.registry,
    "cartograph_retention_deleted_total",
    "Rows deleted by retention.",
    () => s()?.retentionDeleted ?? 0,
  );
  registerCounterFn(
    m.registry,
    "cartograph_aggregation_errors_total",
    "Failures in derived work (rollups, graph); never fail ingest.",
    () => s()?.aggregatorErrors ?? 0,
  );
  registerCounterFn(
    m.registry,
    "cartograph_cardinality_folded_spans_total",
    'Spans aggregated as "(overflow)" because their service, operation or environment was new past its limit (for peers: calls to a peer node new past its limit).',
    () => {
      const x = s();
      const peers = peersOf(x);
      return x?.cardinality ? { ...x.cardinality.foldedSpans, peer: peers?.foldedCalls ?? 0 } : null;
    },
    "dimension",
  );
  registerGaugeFn(
    m.registry,
    "cartograph_cardinality_names",
    "Distinct names the aggregates keep (the cardinality guard's known names), by dimension.",
    () => {
      const c = s()?.cardinality;
      const peers = peersOf(s());
      return c
        ? {
            service: c.knownServices,
            operation: c.knownOperations,
            environment: c.knownEnvironments,
            peer: peers?.known ?? 0,
          }
        : null;
    },
    "dimension",
  );
  const edgeSeries = new EdgeSeriesBook();
  writer.onStats((x) => edgeSeries.apply(x.aggregators.servicegraph as ServiceGraphSnapshot | undefined));
  registerServiceGraphMetrics(m.registry, () => edgeSeries.snapshot());
  registerSnapshotMetric(
    m.registry,
    "cartograph_store_write_seconds",
    "Duration of write transactions (group commits).",
    "histogram",
    () => {
      const h = s()?.writeSeconds;
      return h ? histogramValues("cartograph_store_write_seconds", {}, h) : [];
    },
  );
  registerGaugeFn(
    m.registry,
    "cartograph_store_bytes",
    "Bytes used by the telemetry database.",
    () => s()?.storeBytes ?? 0,
  );
  registerGaugeFn(
    m.registry,
    "cartograph_write_queue_depth",
    "Requests and bytes waiting for the writer thread.",
    () => writer.queueDepth(),
    "unit",
  );
}
