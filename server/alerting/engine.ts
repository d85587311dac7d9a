import "server-only";
import type { Logger } from "../platform/logger";
import type { AlertDataSource } from "./data-source";
import type { ControlDb, Fence } from "../control";
import { instanceId, listRules, loadActiveSilences, loadInstances, toChannel, writeTick } from "./control-store";
import { planTick, type RuleHealth, type TickInput, type TickPlan } from "./plan-tick";
import { runQueries } from "./rule-queries";
import { withSpan } from "../platform/self-tracing";
import type { AlertInstanceState } from "./state-machine";

export { planInputs, type RuleHealth } from "./plan-tick";

/**
 * One evaluation tick: read rules, run the batched queries (query threads), evaluate and step
 * every instance through the state machine (planTick, pure; in the alert evaluation thread
 * when `plan` is given), then write state + history + outbox rows in one transaction. Memory
 * is updated only after the write committed, so a crash between the two repeats the tick
 * instead of losing or duplicating a notification.
 */
export interface EngineDeps {
  db: ControlDb;
  dataSource: AlertDataSource;
  externalURL: string;
  intervalMs: number;
  /** Alertmanager channels get firing alerts re-sent this often (endsAt keeps them alive). */
  resendMs?: number;
  log: Logger;
  /** The leader lease a tick's write must still hold (cluster mode); null on SQLite. */
  fence?: () => Fence | null;
  /** Runs planTick elsewhere (the alert evaluation thread); default: in this thread. */
  plan?: (input: TickInput) => Promise<TickPlan>;
}

export class AlertEngine {
  readonly instances = new Map<string, AlertInstanceState>();
  readonly health = new Map<string, RuleHealth>();
  private loaded = false;
  constructor(private readonly deps: EngineDeps) {}

  /** Forget memory: the next evaluation reloads instances from the database (a new leader's first tick). */
  reset(): void {
    this.loaded = false;
  }

  async load(): Promise<void> {
    this.instances.clear();
    for (const i of await loadInstances(this.deps.db)) this.instances.set(instanceId(i.ruleId, i.fingerprint), i);
    this.loaded = true;
  }

  async evaluate(now: number): Promise<{ rules: number; transitions: number; notifications: number }> {
    if (!this.loaded) await this.load();
    const { db, dataSource, externalURL } = this.deps;
    const stored = await listRules(db);
    const rules = stored.map((s) => s.rule).filter((r) => r.enabled);
    const channels = (await db.notificationChannel.findMany()).map(toChannel);
    const silences = await loadActiveSilences(db, now);
    const results = await withSpan("alerting.query", { "cartograph.alerting.rules": rules.length }, () => runQueries(rules, dataSource, now));
    const input: TickInput = {
      now, externalURL, intervalMs: this.deps.intervalMs, resendMs: this.deps.resendMs ?? 60_000,
      rules, storedRuleIds: stored.map((s) => s.id), channels, silences, results: [...results], instances: [...this.instances.values()],
    };
    const plan = await withSpan("alerting.evaluate", { "cartograph.alerting.instances": input.instances.length }, () => (this.deps.plan ? this.deps.plan(input) : planTick(input)));
    for (const [id, h] of plan.health) this.health.set(id, h);
    for (const id of plan.healthGone) this.health.delete(id);
    const changes = plan.changes;
    const rows = { "cartograph.alerting.upserts": changes.upserts.length, "cartograph.alerting.history": changes.history.length, "cartograph.alerting.outbox": changes.outbox.length };
    await withSpan("alerting.write", rows, () => writeTick(db, changes, this.deps.fence?.() ?? null, now));
    for (const [k, v] of plan.next) {
      if (v) this.instances.set(k, v);
      else this.instances.delete(k);
    }
    return plan.summary;
  }
}

