import "server-only";
import type { RedStats } from "../../../lib/contract";
import { quantile, type Sketch } from "./sketch";

/** RED numbers as the API reports them (the contract's RedStats), for services, operations, nodes and edges. */
export type { RedStats };

export type LatencyQuantiles = Pick<RedStats, "p50Ms" | "p95Ms" | "p99Ms">;

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** errors / requests to 6 decimals; null with no requests. */
export function errorRateOf(requests: number, errors: number): number | null {
  return requests > 0 ? round(errors / requests, 6) : null;
}

/** requests per second to 4 decimals; 0 over an empty span of time. */
export function rateOf(requests: number, seconds: number): number {
  return seconds > 0 ? round(requests / seconds, 4) : 0;
}

/** p50 / p95 / p99 of a sketch to 3 decimals of a millisecond; null when it is empty or absent. */
export function latencyQuantiles(sketch: Sketch | null): LatencyQuantiles {
  const at = (q: number) => {
    const v = sketch ? quantile(sketch, q) : null;
    return v === null ? null : round(v, 3);
  };
  return { p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) };
}

/**
 * The one RED-statistics builder, for services, operations, time steps, nodes, edges and edge
 * time series: error rate to 6 decimals, rate per second to 4, latency quantiles to 3
 * decimals of a millisecond (errorRateOf, rateOf, latencyQuantiles).
 */
export function buildRedStats(requests: number, errors: number, sketch: Sketch | null, seconds: number): RedStats {
  return {
    requests,
    errors,
    errorRate: errorRateOf(requests, errors) ?? 0,
    rps: rateOf(requests, seconds),
    ...latencyQuantiles(sketch),
  };
}
