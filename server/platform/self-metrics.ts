import "server-only";
import client from "prom-client";
import { registerSnapshotMetric, type SnapshotValue } from "./snapshot-metrics";

/**
 * Cartograph's own Prometheus metrics (prom-client). Counters that are produced in the
 * writer thread arrive as snapshots and are exposed through collect() callbacks, so the
 * registry stays in the main thread.
 */
export interface SelfMetrics {
  registry: client.Registry;
  requests: client.Counter<"signal" | "transport" | "code">;
  receivedBytes: client.Counter<"signal" | "transport">;
  itemsRejected: client.Counter<"signal" | "reason">;
  requestSeconds: client.Histogram<"signal" | "transport">;
}

export function createSelfMetrics(): SelfMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "cartograph_" });
  return {
    registry,
    requests: new client.Counter({
      name: "cartograph_ingest_requests_total",
      help: "OTLP export requests by signal, transport and response code.",
      labelNames: ["signal", "transport", "code"],
      registers: [registry],
    }),
    receivedBytes: new client.Counter({
      name: "cartograph_ingest_received_bytes_total",
      help: "Bytes of OTLP request bodies after decompression.",
      labelNames: ["signal", "transport"],
      registers: [registry],
    }),
    itemsRejected: new client.Counter({
      name: "cartograph_ingest_rejected_requests_items_total",
      help: "Spans or points refused before the store, by reason (overload, too_large, malformed, unsupported, unauthenticated, rate_limited).",
      labelNames: ["signal", "reason"],
      registers: [registry],
    }),
    requestSeconds: new client.Histogram({
      name: "cartograph_ingest_request_duration_seconds",
      help: "Time from request start to the OTLP response, including the store commit.",
      labelNames: ["signal", "transport"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

type Snapshot = () => number | Record<string, number> | null;

function snapshotValues(read: Snapshot, labelName: string, skipZero: boolean): () => SnapshotValue[] {
  return () => {
    const v = read();
    if (v === null) return [];
    if (typeof v === "number") return [{ labels: {}, value: v }];
    return Object.entries(v)
      .filter(([, n]) => !skipZero || n > 0)
      .map(([k, n]) => ({ labels: { [labelName]: k }, value: n }));
  };
}

/** A gauge whose value is read at scrape time. */
export function registerGaugeFn(
  registry: client.Registry,
  name: string,
  help: string,
  read: Snapshot,
  labelName = "kind",
): void {
  registerSnapshotMetric(registry, name, help, "gauge", snapshotValues(read, labelName, false));
}

/** A counter whose monotonic total is read at scrape time from a snapshot. */
export function registerCounterFn(
  registry: client.Registry,
  name: string,
  help: string,
  read: Snapshot,
  labelName = "reason",
): void {
  registerSnapshotMetric(registry, name, help, "counter", snapshotValues(read, labelName, true));
}
