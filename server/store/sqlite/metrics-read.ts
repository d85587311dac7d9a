import "server-only";
import type { Db } from "./open";
import type { MetricPointRow, MetricSeriesRow, MetricStore, MetricSummaryRow } from "../telemetry-store";

/** Metric series and points in SQLite (tables metric_series, metric_points); series keys are their row ids as text. */
export function createMetricStore(db: Db): MetricStore {
  const points = db
    .prepare(
      `SELECT time_ns, value, count, sum, detail FROM metric_points WHERE series_id = ? AND time_ns >= ? AND time_ns < ? ORDER BY time_ns`,
    )
    .safeIntegers(true);
  return {
    listMetrics: async (sinceMs, service, limit) => {
      const rows = db
        .prepare(
          `SELECT service, name, type, max(unit) AS unit, max(description) AS description, max(monotonic) AS monotonic,
                  max(temporality) AS temporality, count(*) AS series
           FROM metric_series WHERE last_seen_ms >= ? ${service ? "AND service = ?" : ""}
           GROUP BY service, name, type ORDER BY service, name ${limit === undefined ? "" : "LIMIT ?"}`,
        )
        .all(
          ...([sinceMs, ...(service ? [service] : []), ...(limit === undefined ? [] : [limit])] as unknown[]),
        ) as (Omit<MetricSummaryRow, "monotonic"> & {
        monotonic: number;
      })[];
      return rows.map((r) => ({ ...r, monotonic: r.monotonic === 1 }));
    },
    readMetricSeries: async (service, name, limit) =>
      (
        db
          .prepare(
            `SELECT id, type, unit, temporality, monotonic, attributes FROM metric_series WHERE service = ? AND name = ? ORDER BY id LIMIT ?`,
          )
          .all(service, name, limit) as {
          id: number;
          type: string;
          unit: string;
          temporality: number;
          monotonic: number;
          attributes: string;
        }[]
      ).map((s): MetricSeriesRow => ({
        key: String(s.id),
        type: s.type,
        unit: s.unit,
        temporality: s.temporality,
        monotonic: s.monotonic === 1,
        attributes: JSON.parse(s.attributes) as Record<string, unknown>,
      })),
    readMetricPoints: async (seriesKey, fromNs, toNs) => {
      if (!/^\d{1,15}$/.test(seriesKey)) return [];
      const rows = points.all(BigInt(seriesKey), fromNs, toNs) as {
        time_ns: bigint;
        value: number | null;
        count: number | null;
        sum: number | null;
        detail: string | null;
      }[];
      return rows.map((r): MetricPointRow => ({
        timeMs: Number(BigInt(r.time_ns) / 1_000_000n),
        value: r.value === null ? null : Number(r.value),
        count: r.count === null ? null : Number(r.count),
        sum: r.sum === null ? null : Number(r.sum),
        detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
      }));
    },
    listMetricServices: async (name) =>
      db.prepare(`SELECT DISTINCT service FROM metric_series WHERE name = ?`).pluck().all(name) as string[],
  };
}
