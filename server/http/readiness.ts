import "server-only";
import type { PoolHealth } from "../api";

export interface Readiness {
  ready: boolean;
  status: "ready" | "starting" | "degraded" | "draining";
  checks: { writer: boolean; store: boolean; queries: PoolHealth };
  reasons: string[];
  /** Leader election (server/control): whether this process runs the once-per-cluster jobs. Informational: followers are ready too. */
  /** Which telemetry store this instance runs (CARTOGRAPH_STORE). Informational. */
  telemetryStore?: "sqlite" | "clickhouse";
  leader?: {
    leader: boolean;
    controlPlane: "sqlite" | "postgresql";
    holder: string;
    currentLeader: string | null;
    term: number;
  };
}

/**
 * Pure: what /readyz answers. Ready when the writer and the store are up, at least one query
 * thread can take a read and reads are not piling up (a wedged or restarting reader makes
 * the instance unready, so a load balancer sends reads elsewhere), and not shutting down.
 */
export function checkReadiness(s: {
  writer: boolean;
  telemetry: boolean;
  queries: PoolHealth;
  draining: boolean;
}): Readiness {
  const reasons: string[] = [];
  if (s.draining) reasons.push("shutting down");
  if (!s.writer) reasons.push("the writer thread is not running");
  if (!s.telemetry) reasons.push("the telemetry store is not readable");
  if (!s.queries.ready) reasons.push(s.queries.reason);
  const status = s.draining
    ? "draining"
    : !s.writer || !s.telemetry
      ? "starting"
      : reasons.length
        ? "degraded"
        : "ready";
  return {
    ready: reasons.length === 0,
    status,
    checks: { writer: s.writer, store: s.telemetry, queries: s.queries },
    reasons,
  };
}
