import "server-only";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import type { TelemetryReader } from "../store";
import { dispatchDue, pruneOutbox } from "./dispatcher";
import { controlDbPath, openControlDb, type ControlDb } from "./control-db";
import { createSqliteTickWriter } from "./sqlite-tick-writer";
import type { AlertDataSource, Finding, QueryWindow } from "./data-source";
import { AlertEngine } from "./engine";
import { AlertScheduler } from "./scheduler";
import { registerAlertingMetrics, type DeliveryCounters } from "./metrics";
import type client from "prom-client";
import { AlertingService } from "./service";
import { parseAllowList } from "./ssrf-guard";
import { createStoreDataSource } from "./store-data-source";
import { createPolicyStore, getViolations } from "../coupling";

export { AlertingService } from "./service";
/** The control-plane database; the access stage shares the file (main.ts opens it for both). */
export { openControlDb, type ControlDb } from "./control-db";
export type { AlertDataSource, Finding, QueryWindow } from "./data-source";
export { evaluateRule } from "./evaluate-rule";
export { ruleDefinitionSchema } from "./rule-schema";
export { silenceInputSchema } from "./silences";
export { channelInputSchema } from "./channels";
export { nextAlertState } from "./state-machine";
export { createStoreDataSource } from "./store-data-source";

export interface AlertingDeps {
  config: Config;
  log: Logger;
  now?: () => number;
  /** The telemetry store; used when no dataSource is given. */
  telemetry?: TelemetryReader;
  dataSource?: AlertDataSource;
  /** Coupling findings for `coupling` rules (the coupling stage's getViolations). */
  violations?: (w: QueryWindow) => Finding[] | Promise<Finding[]>;
  /** Start the timers (default true). Tests drive `tick()` themselves. */
  autoStart?: boolean;
  db?: ControlDb;
  /** Registers alerting metrics (ticks, missed ticks, instances by state, deliveries) on /metrics. */
  metrics?: { registry: client.Registry };
}

export interface Alerting {
  service: AlertingService;
  scheduler: AlertScheduler;
  /** Evaluate now and dispatch (tests, or after a rule change). */
  tick(now?: number): Promise<void>;
  dispatch(now?: number): Promise<void>;
  stop(): Promise<void>;
}

const KEY = Symbol.for("cartograph.alerting");
type G = typeof globalThis & { [KEY]?: Alerting };

/**
 * Starts alert evaluation and notification delivery for this process. One instance per
 * process (a second call returns the first, also under dev hot reload). Opens
 * <dataDir>/control.db and applies its migrations.
 */
export function startAlerting(deps: AlertingDeps): Alerting {
  const g = globalThis as G;
  if (g[KEY] && deps.autoStart !== false) return g[KEY]!;
  const now = deps.now ?? (() => Date.now());
  const db = deps.db ?? openControlDb(deps.config.CARTOGRAPH_DATA_DIR);
  const dataSource = deps.dataSource ?? createStoreDataSource(requireTelemetry(deps.telemetry), { violations: deps.violations ?? couplingFindings(deps.config, deps.telemetry) });
  const externalURL = deps.config.CARTOGRAPH_PUBLIC_URL;
  const intervalMs = deps.config.CARTOGRAPH_ALERT_INTERVAL_MS;
  const fastWriter = deps.db ? null : createSqliteTickWriter(controlDbPath(deps.config.CARTOGRAPH_DATA_DIR));
  const engine = new AlertEngine({ db, dataSource, externalURL, intervalMs, log: deps.log, writeTick: fastWriter?.write });
  const notifyCtx = { externalURL, fetch: { allow: parseAllowList(deps.config.CARTOGRAPH_WEBHOOK_ALLOW), timeoutMs: 10_000 } };
  let lastPrune = 0;
  const deliveries: DeliveryCounters = { delivered: 0, retried: 0, failed: 0 };
  const dispatch = async (t: number) => {
    const r = await dispatchDue(db, t, notifyCtx, deps.log);
    deliveries.delivered += r.delivered;
    deliveries.retried += r.retried;
    deliveries.failed += r.failed;
    if (t - lastPrune > 3600_000) {
      lastPrune = t;
      await pruneOutbox(db, t);
    }
  };
  const scheduler = new AlertScheduler(engine, { intervalMs, now, log: deps.log, dispatch });
  const alerting: Alerting = {
    service: new AlertingService(db, engine, dataSource, now),
    scheduler,
    tick: (t) => scheduler.tick(t ?? now()),
    dispatch: (t) => scheduler.runDispatch(t ?? now()),
    async stop() {
      await scheduler.stop();
      await db.$disconnect();
      fastWriter?.close();
      if (g[KEY] === alerting) delete g[KEY];
    },
  };
  if (deps.metrics) registerAlertingMetrics(deps.metrics.registry, scheduler, engine, deliveries);
  if (deps.autoStart !== false) {
    g[KEY] = alerting;
    scheduler.start();
    deps.log.info(`alerting started: evaluation every ${intervalMs} ms`);
  }
  return alerting;
}

/** Alert evaluation's reads over the telemetry store, coupling findings included (query threads run it). */
export function createTelemetryAlertData(config: Config, telemetry: TelemetryReader): AlertDataSource {
  return createStoreDataSource(telemetry, { violations: couplingFindings(config, telemetry) });
}

/** Coupling findings of a window from the coupling stage, under the configured policy file. */
function couplingFindings(config: Config, telemetry: TelemetryReader | undefined): (w: QueryWindow) => Finding[] {
  let policy: ReturnType<typeof createPolicyStore> | null = null;
  return (w) => {
    policy ??= createPolicyStore(config.CARTOGRAPH_POLICY_FILE);
    return getViolations(requireTelemetry(telemetry).db, policy.get(), w, w.toMs).violations as Finding[];
  };
}

function requireTelemetry(t: TelemetryReader | undefined): TelemetryReader {
  if (!t) throw new Error("startAlerting needs `telemetry` or a `dataSource`");
  return t;
}

/** The running instance, if any (API routes fall back to it when the context has none). */
export function getAlerting(): Alerting | null {
  return (globalThis as G)[KEY] ?? null;
}
