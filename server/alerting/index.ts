import "server-only";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import type { TelemetryReader } from "../store";
import { dispatchDue, pruneOutbox } from "./dispatcher";
import { type LeaderElection } from "../control";
import { resolveControlDb, type ControlDb, type ControlDbTarget } from "../store";
import type { AlertDataSource, Finding, QueryWindow } from "./data-source";
import { AlertEngine, type TickEngine } from "./engine";
import { AlertScheduler } from "./scheduler";
import { ThreadedEngine } from "./tick-thread";
import { registerAlertingMetrics, type DeliveryCounters } from "./metrics";
import type client from "prom-client";
import { AlertingService } from "./service";
import { parseAllowList } from "./ssrf-guard";
import { createStoreDataSource } from "./store-data-source";
import { createControlPolicyStore, getViolations, type PolicyStore } from "../coupling";

export { AlertingService } from "./service";
export type { AlertDataSource, EdgeRow, Finding, QueryWindow, RedRow } from "./data-source";
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
  /** The control plane (server/control's openControlDb; main.ts opens it once for every stage). */
  db: ControlDb;
  /**
   * Cluster mode: evaluation and delivery run only while this process is the elected leader,
   * and each tick's write is fenced on the lease. Without it the process always runs them.
   */
  leader?: Pick<LeaderElection, "runAsLeader" | "fence">;
  /**
   * Run each tick's control-plane half (rules, planning, the write) in the alert evaluation
   * thread (default: when the timers start, i.e. in the server). That thread opens its own
   * client on `controlTarget` (default: the configured control plane), the database `db` is.
   */
  evaluationThread?: boolean;
  controlTarget?: ControlDbTarget;
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
 * process (a second call returns the first, also under dev hot reload).
 */
export function startAlerting(deps: AlertingDeps): Alerting {
  const g = globalThis as G;
  if (g[KEY] && deps.autoStart !== false) return g[KEY]!;
  const now = deps.now ?? (() => Date.now());
  const db = deps.db;
  const dataSource =
    deps.dataSource ??
    createStoreDataSource(requireTelemetry(deps.telemetry), {
      violations:
        deps.violations ??
        couplingFindings(createControlPolicyStore(deps.db, deps.config.CARTOGRAPH_POLICY_FILE), deps.telemetry),
    });
  const externalURL = deps.config.CARTOGRAPH_PUBLIC_URL;
  const intervalMs = deps.config.CARTOGRAPH_ALERT_INTERVAL_MS;
  const fence = deps.leader ? () => deps.leader!.fence() : undefined;
  const threaded = deps.evaluationThread ?? deps.autoStart !== false;
  const control =
    deps.controlTarget ??
    resolveControlDb(deps.config.CARTOGRAPH_DATA_DIR, deps.config.CARTOGRAPH_CONTROL_DATABASE_URL);
  const engine: TickEngine & { close?: () => Promise<void> } = threaded
    ? new ThreadedEngine({ control, dataSource, externalURL, intervalMs, log: deps.log, fence })
    : new AlertEngine({ db, dataSource, externalURL, intervalMs, log: deps.log, fence });
  const notifyCtx = {
    externalURL,
    fetch: { allow: parseAllowList(deps.config.CARTOGRAPH_WEBHOOK_ALLOW), timeoutMs: 10_000 },
  };
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
      await engine.close?.();
      if (g[KEY] === alerting) delete g[KEY];
    },
  };
  if (deps.metrics) registerAlertingMetrics(deps.metrics.registry, scheduler, engine, deliveries);
  if (deps.autoStart !== false) {
    g[KEY] = alerting;
    if (deps.leader) {
      void deps.leader.runAsLeader(
        "alert-evaluation",
        () => {
          // The previous leader's transitions are in the database, not in this memory.
          void Promise.resolve(engine.reset()).then(
            () => scheduler.start(),
            (e: Error) => {
              deps.log.error("alerting could not reset its memory; starting anyway (the thread is replaced)", {
                error: e.message,
              });
              scheduler.start();
            },
          );
          deps.log.info(`alerting started on the leader: evaluation every ${intervalMs} ms`);
        },
        () => scheduler.stop(),
      );
    } else {
      scheduler.start();
      deps.log.info(`alerting started: evaluation every ${intervalMs} ms`);
    }
  }
  return alerting;
}

/** Alert evaluation's reads over the telemetry store, coupling findings included (query threads run it). */
export function createTelemetryAlertData(telemetry: TelemetryReader, policy: PolicyStore): AlertDataSource {
  return createStoreDataSource(telemetry, { violations: couplingFindings(policy, telemetry) });
}

/** Coupling findings of a window from the coupling stage, under the control plane's policy. */
function couplingFindings(
  policy: PolicyStore,
  telemetry: TelemetryReader | undefined,
): (w: QueryWindow) => Promise<Finding[]> {
  return async (w) =>
    (await getViolations(requireTelemetry(telemetry), await policy.get(), w, w.toMs)).violations as Finding[];
}

function requireTelemetry(t: TelemetryReader | undefined): TelemetryReader {
  if (!t) throw new Error("startAlerting needs `telemetry` or a `dataSource`");
  return t;
}

/** The running instance, if any (API routes fall back to it when the context has none). */
export function getAlerting(): Alerting | null {
  return (globalThis as G)[KEY] ?? null;
}
