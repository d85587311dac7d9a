import type { MetricAggregation, MetricQueryResponse } from "@/lib/api-types";

export const SERIES_PALETTE = [
  "#5aa9ff",
  "#3fb950",
  "#d29922",
  "#f778ba",
  "#a371f7",
  "#f85149",
  "#39c5cf",
  "#db6d28",
  "#8b949e",
  "#e3b341",
];

export interface MetricChartData {
  rows: Array<Record<string, number | null>>;
  series: Array<{ key: string; label: string; color: string }>;
  unit: string;
  domain: [number, number];
  /** Series left out to keep the chart readable (the top ones by peak value are kept). */
  hiddenSeries: number;
}

/** `k=v, k2=v2` (sorted by key), or the fallback when a series has no labels. */
export function labelSeries(labels: Record<string, unknown>, fallback: string): string {
  const keys = Object.keys(labels).sort();
  return keys.length ? keys.map((k) => `${k}=${labels[k]}`).join(", ") : fallback;
}

/** Pivots series into recharts rows keyed `s0..sN` on the union of timestamps; missing values are null (gaps). */
export function prepareMetricSeries(
  res: MetricQueryResponse,
  metricName: string,
  fromMs: number,
  toMs: number,
  maxSeries = 10,
): MetricChartData {
  const ranked = res.series
    .map((s) => ({ s, peak: Math.max(-Infinity, ...s.points.map((p) => (p.v === null ? -Infinity : p.v))) }))
    .sort((a, b) => b.peak - a.peak);
  const kept = ranked.slice(0, maxSeries).map((r) => r.s);
  const times = new Set<number>();
  for (const s of kept) for (const p of s.points) times.add(p.t);
  const sorted = [...times].sort((a, b) => a - b);
  const index = new Map(sorted.map((t, i) => [t, i]));
  const rows: Array<Record<string, number | null>> = sorted.map((t) => {
    const row: Record<string, number | null> = { t };
    kept.forEach((_, i) => (row[`s${i}`] = null));
    return row;
  });
  kept.forEach((s, i) => {
    for (const p of s.points)
      rows[index.get(p.t)!]![`s${i}`] = typeof p.v === "number" && Number.isFinite(p.v) ? p.v : null;
  });
  return {
    rows,
    series: kept.map((s, i) => ({
      key: `s${i}`,
      label: labelSeries(s.labels, metricName),
      color: SERIES_PALETTE[i % SERIES_PALETTE.length]!,
    })),
    unit: res.unit,
    domain: [fromMs, toMs],
    hiddenSeries: Math.max(0, res.series.length - kept.length),
  };
}

/** Unit shown for an aggregation: a rate is per second, other aggregations keep the metric's unit. */
export function displayUnit(unit: string, agg: MetricAggregation): string {
  if (agg === "rate") return unit && unit !== "1" ? `${unit.replace(/^\{(.*)\}$/, "$1")}/s` : "/s";
  return unit;
}
