import "server-only";
import type { TimeWindow } from "../platform/time-window";
import type { TelemetryReader } from "../store";
import { addCounts, diffCounts, quantileFromBuckets, quantileFromExponential, rateBetween } from "./metric-math";
import { chooseDefaultAggregation } from "../../lib/metric-aggregations";
import {
  TEMPORALITIES as TEMPORALITY,
  type MetricAggregation,
  type MetricInfo,
  type MetricType,
} from "../../lib/contract";

export type { MetricAggregation, MetricInfo };

/** The metrics seen since the window's start, by service then name: the first `limit`, and whether more exist. */
export async function listMetrics(
  t: TelemetryReader,
  w: TimeWindow,
  q: { service?: string; limit: number },
): Promise<{ metrics: MetricInfo[]; truncated: boolean }> {
  const rows = await t.metrics.listMetrics(w.fromMs, q.service, q.limit + 1);
  const metrics = rows.slice(0, q.limit).map((r) => ({
    ...r,
    type: r.type as MetricType,
    temporality: TEMPORALITY[r.temporality] ?? "unspecified",
  }));
  return { metrics, truncated: rows.length > q.limit };
}

/** The aggregation a metric's type calls for when none is asked (the metrics explorer's default too). */
export const defaultAggregation = chooseDefaultAggregation;

/**
 * One metric of one service as series over time, one per attribute set (at most 50).
 * Cumulative sums become per-second rates (reset-aware); delta sums are summed per step;
 * histograms give quantiles from the step's bucket counts (cumulative points differenced).
 */
export async function queryMetric(
  t: TelemetryReader,
  q: { service: string; name: string; window: TimeWindow; stepSeconds: number; aggregation?: MetricAggregation },
) {
  const series = await t.metrics.readMetricSeries(q.service, q.name, 50);
  if (series.length === 0) return null;
  const type = series[0]!.type as MetricType;
  const agg = q.aggregation ?? defaultAggregation(type, series[0]!.monotonic);
  const stepMs = q.stepSeconds * 1000;
  const firstBucket = Math.floor(q.window.fromMs / stepMs) * stepMs;
  // One earlier point lets the first step of a cumulative series have a rate.
  const lookback = BigInt(q.window.fromMs - stepMs) * 1_000_000n;
  const out = [];
  for (const s of series) {
    const rows = (await t.metrics.readMetricPoints(s.key, lookback, BigInt(q.window.toMs) * 1_000_000n)).map((r) => ({
      tMs: r.timeMs,
      value: r.value,
      count: r.count,
      sum: r.sum,
      detail: r.detail,
    }));
    const values = aggregateSeries(rows, {
      type,
      cumulative: s.temporality === 2,
      agg,
      stepMs,
      firstBucket,
      toMs: q.window.toMs,
      fromMs: q.window.fromMs,
    });
    out.push({ labels: s.attributes, points: values });
  }
  return {
    service: q.service,
    name: q.name,
    type,
    unit: series[0]!.unit,
    aggregation: agg,
    stepSeconds: q.stepSeconds,
    series: out,
  };
}

type Row = {
  tMs: number;
  value: number | null;
  count: number | null;
  sum: number | null;
  detail: Record<string, unknown> | null;
};

function aggregateSeries(
  rows: Row[],
  o: {
    type: string;
    cumulative: boolean;
    agg: MetricAggregation;
    stepMs: number;
    firstBucket: number;
    fromMs: number;
    toMs: number;
  },
): { t: number; v: number | null }[] {
  // Turn each point into the contribution it makes to its step.
  type Contribution = {
    v?: number;
    counts?: number[];
    expo?: { scale: number; zero: number; offset: number; counts: number[] };
    count?: number;
  };
  const byBucket = new Map<number, Contribution[]>();
  let prev: Row | null = null;
  for (const r of rows) {
    const bucket = Math.floor(r.tMs / o.stepMs) * o.stepMs;
    let c: Contribution | null = null;
    if (o.type === "gauge" || (o.type === "sum" && !["rate", "increase"].includes(o.agg))) {
      c = { v: r.value ?? undefined };
    } else if (o.type === "sum") {
      if (!o.cumulative) c = { v: o.agg === "rate" ? (r.value ?? 0) / (o.stepMs / 1000) : (r.value ?? 0) };
      else if (prev && prev.value !== null && r.value !== null) {
        const rate = rateBetween({ v: prev.value, tMs: prev.tMs }, { v: r.value, tMs: r.tMs });
        if (rate !== null) c = { v: o.agg === "rate" ? rate : rate * ((r.tMs - prev.tMs) / 1000) };
      }
    } else if (o.type === "histogram" && r.detail) {
      const counts = r.detail.counts as number[];
      const prevCounts = prev?.detail ? (prev.detail.counts as number[]) : null;
      c = { counts: o.cumulative ? diffCounts(counts, prevCounts) : counts, count: 0 };
      (c as { bounds?: number[] }).bounds = r.detail.bounds as number[];
    } else if (o.type === "exponential_histogram" && r.detail) {
      const pos = r.detail.positive as { offset: number; counts: number[] };
      const prevPos = prev?.detail ? (prev.detail.positive as { counts: number[] }).counts : null;
      c = {
        expo: {
          scale: r.detail.scale as number,
          zero: r.detail.zeroCount as number,
          offset: pos.offset,
          counts: o.cumulative ? diffCounts(pos.counts, prevPos) : pos.counts,
        },
      };
    } else if (o.type === "summary" && r.detail) {
      const want = o.agg.startsWith("p") ? Number(o.agg.slice(1)) / 100 : 0.5;
      const qs = r.detail.quantiles as { quantile: number; value: number | null }[];
      const hit = qs.find((x) => Math.abs(x.quantile - want) < 1e-9);
      c = { v: hit?.value ?? undefined };
    }
    prev = r;
    if (!c || r.tMs < o.fromMs) continue;
    const list = byBucket.get(bucket) ?? [];
    list.push(c);
    byBucket.set(bucket, list);
  }
  const out: { t: number; v: number | null }[] = [];
  for (let b = o.firstBucket; b < o.toMs; b += o.stepMs) {
    const cs = byBucket.get(b);
    out.push({ t: b, v: cs && cs.length ? combine(cs, o.agg) : null });
  }
  return out;

  function combine(cs: Contribution[], agg: MetricAggregation): number | null {
    if (cs[0]!.counts) {
      const bounds = (cs[0] as { bounds?: number[] }).bounds ?? [];
      const counts = cs.reduce<number[]>((acc, c) => addCounts(acc, c.counts ?? []), []);
      if (agg === "count") return counts.reduce((a, b) => a + b, 0);
      return quantileFromBuckets(bounds, counts, agg.startsWith("p") ? Number(agg.slice(1)) / 100 : 0.95);
    }
    if (cs[0]!.expo) {
      const e = cs[0]!.expo!;
      const counts = cs.reduce<number[]>((acc, c) => addCounts(acc, c.expo?.counts ?? []), []);
      const zero = cs.reduce((a, c) => a + (c.expo?.zero ?? 0), 0);
      return quantileFromExponential(
        e.scale,
        zero,
        e.offset,
        counts,
        agg.startsWith("p") ? Number(agg.slice(1)) / 100 : 0.95,
      );
    }
    const vs = cs.map((c) => c.v).filter((v): v is number => typeof v === "number");
    if (vs.length === 0) return null;
    switch (agg) {
      case "max":
        return Math.max(...vs);
      case "min":
        return Math.min(...vs);
      case "sum":
      case "increase":
        return vs.reduce((a, b) => a + b, 0);
      case "last":
        return vs[vs.length - 1]!;
      case "rate":
        return vs.reduce((a, b) => a + b, 0) / vs.length;
      default:
        return vs.reduce((a, b) => a + b, 0) / vs.length;
    }
  }
}
