import "server-only";
import type { Config } from "../platform/config";
import type { RetentionPolicy, RetentionResult, TelemetryStore } from "../store";

/** The retention policy the configuration asks for (CARTOGRAPH_RETENTION_*, CARTOGRAPH_DISK_BUDGET_BYTES). */
export function retentionPolicyFrom(config: Config): RetentionPolicy {
  return {
    rawMaxAgeMs: config.CARTOGRAPH_RETENTION_RAW_HOURS * 3_600_000,
    rollupMaxAgeMs: config.CARTOGRAPH_RETENTION_ROLLUP_HOURS * 3_600_000,
    diskBudgetBytes: config.CARTOGRAPH_DISK_BUDGET_BYTES,
  };
}

/** One retention run: the store applies the policy its own way (bounded steps, by age, then the disk budget). */
export async function runRetention(
  store: TelemetryStore,
  policy: RetentionPolicy,
  nowMs: number,
): Promise<RetentionResult> {
  return store.retention.enforceRetention(policy, nowMs);
}
