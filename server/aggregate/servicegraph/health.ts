import "server-only";

/**
 * Health thresholds of the map (error rate as a fraction). Same numbers as server/query/health.ts
 * (the service list); this stage cannot import the query stage, so the query side should
 * re-export these rather than keep its own copy.
 */
export const HEALTH_THRESHOLDS = { critical: 0.05, warning: 0.01 } as const;

export type Health = "ok" | "warning" | "critical" | "unknown";

/** critical when errorRate ≥ 5 %, warning ≥ 1 %, unknown with no requests in the window. */
export function classifyHealth(requests: number, errors: number): Health {
  if (!(requests > 0)) return "unknown";
  const rate = errors / requests;
  if (rate >= HEALTH_THRESHOLDS.critical) return "critical";
  if (rate >= HEALTH_THRESHOLDS.warning) return "warning";
  return "ok";
}
