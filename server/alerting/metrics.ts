import "server-only";
import type client from "prom-client";
import { registerCounterFn, registerGaugeFn } from "../platform/self-metrics";
import type { TickEngine } from "./engine";
import type { AlertScheduler } from "./scheduler";

/** Delivery outcomes counted by the dispatcher (exported on /metrics). */
export interface DeliveryCounters {
  delivered: number;
  retried: number;
  failed: number;
}

/** Alerting's own metrics, Prometheus names where Prometheus has one. */
export function registerAlertingMetrics(
  registry: client.Registry,
  scheduler: AlertScheduler,
  engine: TickEngine,
  deliveries: DeliveryCounters,
): void {
  registerCounterFn(
    registry,
    "cartograph_rule_group_iterations_total",
    "Alert evaluation ticks run.",
    () => scheduler.ticks,
  );
  registerCounterFn(
    registry,
    "cartograph_rule_group_iterations_missed_total",
    "Alert evaluation ticks skipped because the previous one overran.",
    () => scheduler.missedTicks,
  );
  registerGaugeFn(
    registry,
    "cartograph_rule_group_last_duration_seconds",
    "Duration of the last alert evaluation tick.",
    () => scheduler.lastTickMs / 1000,
  );
  registerGaugeFn(
    registry,
    "cartograph_alerts",
    "Alert instances by state.",
    () => {
      return engine.stateCounts();
    },
    "state",
  );
  registerCounterFn(
    registry,
    "cartograph_notifications_total",
    "Notification delivery attempts by result.",
    () => ({ ...deliveries }),
    "result",
  );
}
