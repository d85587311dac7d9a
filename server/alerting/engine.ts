import "server-only";
import type { Logger } from "../platform/logger";
import type { AlertDataSource } from "./data-source";
import type { Fence } from "../control";
import type { ControlDb } from "../store";
import { instanceId, listRules, loadActiveSilences, loadInstances, toChannel, writeTick } from "./control-store";
import { planTick, type RuleHealth, type TickInput } from "./plan-tick";
import { runQueries } from "./rule-queries";
import type { QueryResult } from "./data-source";
import { withSpan } from "../platform/self-tracing";
import type { AlertInstanceState } from "./state-machine";
import type { AlertRule } from "./rule-schema";

export { planInputs, type RuleHealth } from "./plan-tick";

export type TickSummary = { rules: number; transitions: number; notifications: number };

/** What the scheduler, the API and /metrics need of an engine, wherever its ticks run. */
export interface TickEngine {
  readonly health: Map<string, RuleHealth>;
  evaluate(now: number): Promise<TickSummary>;
  /** Forget memory: the next tick reloads instances from the database (a new leader's first tick). */
  reset(): void | Promise<void>;
  /** Alert instances by state, as of the last committed tick. */
  stateCounts(): Record<string, number>;
}

/** The enabled rules of a tick and the ids of every stored rule (paused ones included). */
export interface TickRules {
  rules: AlertRule[];
  storedRuleIds: string[];
}

export interface TickSettings {
  externalURL: string;
  intervalMs: number;
  /** Alertmanager channels get firing alerts re-sent this often (endsAt keeps them alive). */
  resendMs?: number;
}

/** What a tick reports back: the rules' health and the instance counts after the commit. */
export interface TickOutcome {
  summary: TickSummary;
  health: [string, RuleHealth][];
  healthGone: string[];
  counts: Record<string, number>;
}

/**
 * One evaluation tick: read rules, run the batched queries (query threads), evaluate and step
 * every instance through the state machine (planTick, pure), then write state + history +
 * outbox rows in one transaction. Memory is updated only after the write committed, so a crash
 * between the two repeats the tick instead of losing or duplicating a notification.
 *
 * `AlertEngine` does it all in the calling thread (tests, the bench's baseline); in the server
 * the control-plane half (`readRules`, `commitTick`) runs in the alert evaluation thread
 * (tick-thread.ts), so rule parsing, planning and Prisma's work never hold the thread that
 * answers ingest and the API.
 */
export interface EngineDeps extends TickSettings {
  db: ControlDb;
  /** Where `evaluate` runs the rules' queries (the alert thread's engine has none: it gets results). */
  dataSource?: AlertDataSource;
  log: Logger;
  /** The leader lease a tick's write must still hold (cluster mode); null on SQLite. */
  fence?: () => Fence | null;
}

export class AlertEngine implements TickEngine {
  readonly instances = new Map<string, AlertInstanceState>();
  readonly health = new Map<string, RuleHealth>();
  private loaded = false;
  constructor(private readonly deps: EngineDeps) {}

  reset(): void {
    this.loaded = false;
  }

  stateCounts(): Record<string, number> {
    return countByState(this.instances.values());
  }

  async evaluate(now: number): Promise<TickSummary> {
    const dataSource = this.deps.dataSource;
    if (!dataSource) throw new Error("this engine evaluates no queries: it commits ticks planned over given results");
    const out = await runTick(now, dataSource, this.health, {
      readRules: () => this.readRules(),
      commit: (rules, results) => this.commitTick(now, rules, results, this.deps.fence?.() ?? null),
    });
    return out.summary;
  }

  async readRules(): Promise<TickRules> {
    const stored = await listRules(this.deps.db);
    return { rules: stored.map((s) => s.rule).filter((r) => r.enabled), storedRuleIds: stored.map((s) => s.id) };
  }

  /** Plans the tick over the query results, writes it (fenced) and only then updates memory. */
  async commitTick(
    now: number,
    tickRules: TickRules,
    results: Map<string, QueryResult>,
    fence: Fence | null,
  ): Promise<TickOutcome> {
    if (!this.loaded) await this.load();
    const { db } = this.deps;
    const channels = (await db.notificationChannel.findMany()).map(toChannel);
    const silences = await loadActiveSilences(db, now);
    const input: TickInput = {
      now,
      externalURL: this.deps.externalURL,
      intervalMs: this.deps.intervalMs,
      resendMs: this.deps.resendMs ?? 60_000,
      ...tickRules,
      channels,
      silences,
      results: [...results],
      instances: [...this.instances.values()],
    };
    const plan = withSpan("alerting.evaluate", { "cartograph.alerting.instances": input.instances.length }, () =>
      planTick(input),
    );
    const changes = plan.changes;
    const rows = {
      "cartograph.alerting.upserts": changes.upserts.length,
      "cartograph.alerting.history": changes.history.length,
      "cartograph.alerting.outbox": changes.outbox.length,
    };
    await withSpan("alerting.write", rows, () => writeTick(db, changes, fence, now));
    for (const [k, v] of plan.next) {
      if (v) this.instances.set(k, v);
      else this.instances.delete(k);
    }
    return { summary: plan.summary, health: plan.health, healthGone: plan.healthGone, counts: this.stateCounts() };
  }

  private async load(): Promise<void> {
    this.instances.clear();
    for (const i of await loadInstances(this.deps.db)) this.instances.set(instanceId(i.ruleId, i.fingerprint), i);
    this.loaded = true;
  }
}

/**
 * One tick in three steps wherever its control-plane half runs: read the rules, run their
 * queries here, commit; then the rules' health is updated from the outcome.
 */
export async function runTick(
  now: number,
  dataSource: AlertDataSource,
  health: Map<string, RuleHealth>,
  steps: {
    readRules: () => Promise<TickRules>;
    commit: (rules: TickRules, results: Map<string, QueryResult>) => Promise<TickOutcome>;
  },
): Promise<TickOutcome> {
  const rules = await steps.readRules();
  const results = await withSpan("alerting.query", { "cartograph.alerting.rules": rules.rules.length }, () =>
    runQueries(rules.rules, dataSource, now),
  );
  const out = await steps.commit(rules, results);
  for (const [id, h] of out.health) health.set(id, h);
  for (const id of out.healthGone) health.delete(id);
  return out;
}

export function countByState(instances: Iterable<AlertInstanceState>): Record<string, number> {
  const by: Record<string, number> = { pending: 0, firing: 0, resolved: 0, nodata: 0, error: 0 };
  for (const i of instances) by[i.state] = (by[i.state] ?? 0) + 1;
  return by;
}
