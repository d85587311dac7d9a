import "server-only";
import { quantile, type Sketch } from "./sketch";

/** RED numbers as the API reports them, for services, operations, time steps, nodes and edges alike. */
export interface RedStats {
  requests: number;
  errors: number;
  /** errors / requests; 0 with no requests. */
  errorRate: number;
  rps: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

const round = (v: number | null, digits: number) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/**
 * The one RED-statistics builder: error rate to 6 decimals, rate per second to 4, latency
 * quantiles (from the sketch; null when it is empty or absent) to 3 decimals of a millisecond.
 */
export function buildRedStats(requests: number, errors: number, sketch: Sketch | null, seconds: number): RedStats {
  return {
    requests,
    errors,
    errorRate: requests > 0 ? round(errors / requests, 6)! : 0,
    rps: seconds > 0 ? round(requests / seconds, 4)! : 0,
    p50Ms: sketch ? round(quantile(sketch, 0.5), 3) : null,
    p95Ms: sketch ? round(quantile(sketch, 0.95), 3) : null,
    p99Ms: sketch ? round(quantile(sketch, 0.99), 3) : null,
  };
}
