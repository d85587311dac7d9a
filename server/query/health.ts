import "server-only";

export type Health = "ok" | "warning" | "critical" | "unknown";

/** One place for health thresholds (error rate of served requests). */
export const HEALTH_THRESHOLDS = { warningErrorRate: 0.01, criticalErrorRate: 0.05 } as const;

export function rateHealth(requests: number, errors: number): Health {
  if (requests === 0) return "unknown";
  const rate = errors / requests;
  if (rate >= HEALTH_THRESHOLDS.criticalErrorRate) return "critical";
  if (rate >= HEALTH_THRESHOLDS.warningErrorRate) return "warning";
  return "ok";
}
