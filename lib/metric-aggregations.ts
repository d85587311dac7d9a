import type { MetricAggregation, MetricType } from "./enums";

/**
 * The aggregations /api/v1/metrics/query computes meaningfully for a metric, the first being
 * what it uses when none is asked. One definition for the server's default and the metrics
 * explorer's choices (client-safe, no zod):
 * - a monotonic sum is a counter: per-second rate or increase per step;
 * - a non-monotonic sum (up-down counter) and a gauge are values: last, avg, max, min
 *   (a gauge's values may also be summed);
 * - histograms give percentiles from bucket counts (and explicit-bucket ones a count);
 * - summaries give the quantiles they report.
 */
export function listMetricAggregations(type: MetricType | string, monotonic: boolean | undefined): MetricAggregation[] {
  switch (type) {
    case "sum":
      return monotonic === false ? ["last", "avg", "max", "min"] : ["rate", "increase"];
    case "gauge":
      return ["avg", "max", "min", "last", "sum"];
    case "histogram":
      return ["p95", "p50", "p90", "p99", "count"];
    case "exponential_histogram":
      return ["p95", "p50", "p90", "p99"];
    case "summary":
      return ["p95", "p50", "p90", "p99"];
    default:
      return ["avg"];
  }
}

/** The aggregation a metric's type calls for when none is asked. */
export function chooseDefaultAggregation(type: MetricType | string, monotonic: boolean | undefined): MetricAggregation {
  return listMetricAggregations(type, monotonic)[0]!;
}
