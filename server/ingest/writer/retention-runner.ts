import "server-only";
import { runRetention, type retentionPolicyFrom } from "../../jobs";
import type { TelemetryStore } from "../../store";
import { withSpan } from "../../platform/self-tracing";

export interface RetentionRunnerOptions {
  store: TelemetryStore;
  policy: ReturnType<typeof retentionPolicyFrom>;
  /** Rows deleted by a run (spans, points, logs and rollups together). */
  onDeleted(rows: number): void;
  onError(e: unknown): void;
}

/** The writer's retention runs (age and disk budget), one at a time, each self-traced. */
export function createRetentionRunner(o: RetentionRunnerOptions) {
  let running: Promise<void> | null = null;
  return {
    /** Starts a run unless one is in progress. */
    start(): void {
      running ??= withSpan(
        "retention.run",
        {},
        async (span) => {
          try {
            const r = await runRetention(o.store, o.policy, Date.now());
            o.onDeleted(r.spansDeleted + r.pointsDeleted + r.logsDeleted + r.rollupsDeleted);
            span.setAttributes({
              "cartograph.retention.spans_deleted": r.spansDeleted,
              "cartograph.retention.points_deleted": r.pointsDeleted,
              "cartograph.retention.logs_deleted": r.logsDeleted,
              "cartograph.retention.rollups_deleted": r.rollupsDeleted,
              "cartograph.store.bytes": r.usedBytes,
            });
          } catch (e) {
            span.fail((e as Error).message);
            o.onError(e);
          }
        },
        { root: true },
      ).finally(() => {
        running = null;
      });
    },
    inProgress: () => running,
  };
}
