import "server-only";
import type { Registry } from "prom-client";

/**
 * Metrics produced in another thread: it keeps plain, structured-cloneable snapshots
 * (counters, histograms as cumulative bucket counts) and the main thread exposes the latest
 * snapshot through prom-client metric objects whose values are read at scrape time.
 */
/** One exposition value; `metricName` names a histogram's _bucket/_sum/_count line. */
export interface SnapshotValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export const LATENCY_BUCKETS_SECONDS = [
  0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15,
];

export interface HistogramSnapshot {
  /** Cumulative-per-bucket counts aligned with LATENCY_BUCKETS_SECONDS (le), without +Inf. */
  buckets: number[];
  sum: number;
  count: number;
}

export function emptyHistogram(): HistogramSnapshot {
  return { buckets: LATENCY_BUCKETS_SECONDS.map(() => 0), sum: 0, count: 0 };
}

export function observeHistogram(h: HistogramSnapshot, seconds: number): void {
  h.sum += seconds;
  h.count++;
  for (let i = 0; i < LATENCY_BUCKETS_SECONDS.length; i++) if (seconds <= LATENCY_BUCKETS_SECONDS[i]!) h.buckets[i]!++;
}

/** Exposition values (bucket, sum, count) of one histogram series. */
export function histogramValues(
  name: string,
  labels: Record<string, string | number>,
  h: HistogramSnapshot,
): SnapshotValue[] {
  if (h.count === 0) return [];
  const out: SnapshotValue[] = LATENCY_BUCKETS_SECONDS.map((le, i) => ({
    labels: { ...labels, le },
    value: h.buckets[i]!,
    metricName: `${name}_bucket`,
  }));
  out.push({ labels: { ...labels, le: "+Inf" }, value: h.count, metricName: `${name}_bucket` });
  out.push({ labels, value: h.sum, metricName: `${name}_sum` });
  out.push({ labels, value: h.count, metricName: `${name}_count` });
  return out;
}

/** Registers a prom-client compatible metric whose values come from the latest snapshot. */
export function registerSnapshotMetric(
  registry: Registry,
  name: string,
  help: string,
  type: "counter" | "gauge" | "histogram",
  values: () => SnapshotValue[],
): void {
  const metric = {
    name,
    help,
    type,
    aggregator: "sum" as const,
    get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
    reset: () => {},
  };
  registry.registerMetric(metric as unknown as Parameters<Registry["registerMetric"]>[0]);
}
