import "server-only";
import { randomUUID } from "node:crypto";
import type { ControlDb } from "../store";
import type { AlertDataSource } from "./data-source";
import type { TickEngine } from "./engine";
import { channelInputSchema, maskChannel, type Channel } from "./channels";
import {
  channelData,
  listRules,
  loadInstances,
  ruleData,
  toChannel,
  toSilence,
  toStoredRule,
  type StoredRule,
} from "./control-store";
import type { AlertInstanceState } from "./state-machine";
import { evaluateRule, labelKey } from "./evaluate-rule";
import { runQuery } from "./rule-queries";
import type { AlertRule, RuleDefinition } from "./rule-schema";
import { findSilencing, silenceInputSchema, type ActiveSilence } from "./silences";
import type { z } from "zod";

/** What the API routes call. Validation happens in the routes (zod); this is storage + views. */
export class AlertingService {
  constructor(
    readonly db: ControlDb,
    readonly engine: TickEngine,
    private readonly dataSource: AlertDataSource,
    private readonly now: () => number,
  ) {}

  /**
   * Alert instances as committed: read from the database, not the engine's memory, so every
   * process behind a load balancer answers alike (only the leader evaluates).
   */
  private instances(): Promise<AlertInstanceState[]> {
    return loadInstances(this.db);
  }

  private ruleView(s: StoredRule, all: AlertInstanceState[]) {
    const inst = all.filter((i) => i.ruleId === s.id);
    return {
      ...s.rule,
      createdAt: new Date(s.createdAt).toISOString(),
      updatedAt: new Date(s.updatedAt).toISOString(),
      health: this.engine.health.get(s.id) ?? null,
      counts: {
        pending: inst.filter((i) => i.state === "pending").length,
        firing: inst.filter((i) => i.state === "firing").length,
      },
    };
  }

  async listRules() {
    const all = await this.instances();
    return (await listRules(this.db)).map((s) => this.ruleView(s, all));
  }
  async getRule(id: string) {
    const row = await this.db.alertRule.findUnique({ where: { id } });
    const s = row && toStoredRule(row);
    return s ? this.ruleView(s, await this.instances()) : null;
  }
  async createRule(def: RuleDefinition) {
    const id = randomUUID();
    await this.db.alertRule.create({ data: { id, ...ruleData(def) } });
    return (await this.getRule(id))!;
  }
  async updateRule(id: string, def: RuleDefinition) {
    const n = await this.db.alertRule.updateMany({ where: { id }, data: ruleData(def) });
    return n.count ? (await this.getRule(id))! : null;
  }
  async deleteRule(id: string): Promise<boolean> {
    return (await this.db.alertRule.deleteMany({ where: { id } })).count > 0;
  }

  async listAlerts(states?: string[]) {
    const rules = new Map((await listRules(this.db)).map((s) => [s.id, s.rule.name]));
    const silences = await this.activeSilences();
    const now = this.now();
    return (await this.instances())
      .filter((i) => !states || states.includes(i.state))
      .map((i) => ({
        id: `${i.ruleId}:${i.fingerprint}`,
        ruleId: i.ruleId,
        ruleName: rules.get(i.ruleId) ?? i.labels.alertname ?? "",
        fingerprint: i.fingerprint,
        state: i.state,
        labels: i.labels,
        annotations: i.annotations,
        value: i.value,
        reason: i.reason,
        activeAt: iso(i.activeAt),
        firedAt: iso(i.firedAt),
        resolvedAt: iso(i.resolvedAt),
        lastEvalAt: iso(i.lastEvalAt),
        silencedBy: findSilencing(i.labels, silences, now),
      }))
      .sort((a, b) => stateOrder(a.state) - stateOrder(b.state) || a.ruleName.localeCompare(b.ruleName));
  }

  async history(q: { ruleId?: string; fromMs: number; toMs: number; limit: number }) {
    const rows = await this.db.alertHistory.findMany({
      where: { ...(q.ruleId ? { ruleId: q.ruleId } : {}), at: { gte: new Date(q.fromMs), lte: new Date(q.toMs) } },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: q.limit,
    });
    return rows.map((r) => ({
      id: r.id,
      ruleId: r.ruleId,
      ruleName: r.ruleName,
      fingerprint: r.fingerprint,
      labels: JSON.parse(r.labels),
      from: r.fromState,
      to: r.toState,
      value: r.value,
      reason: r.reason,
      at: r.at.toISOString(),
    }));
  }

  private async activeSilences(): Promise<ActiveSilence[]> {
    const rows = await this.db.silence.findMany({ where: { endsAt: { gt: new Date(this.now()) } } });
    return rows.map((r) => ({
      id: r.id,
      matchers: JSON.parse(r.matchers),
      startsAt: r.startsAt.getTime(),
      endsAt: r.endsAt.getTime(),
    }));
  }
  async listSilences() {
    const now = this.now();
    return (await this.db.silence.findMany({ orderBy: { createdAt: "desc" } })).map((r) => ({
      ...toSilence(r),
      status: silenceStatus(r.startsAt.getTime(), r.endsAt.getTime(), now),
    }));
  }
  async createSilence(s: z.infer<typeof silenceInputSchema>) {
    const id = randomUUID();
    const startsAt = s.startsAt ? new Date(s.startsAt) : new Date(this.now());
    await this.db.silence.create({
      data: {
        id,
        matchers: JSON.stringify(s.matchers),
        startsAt,
        endsAt: new Date(s.endsAt),
        comment: s.comment,
        createdBy: s.createdBy,
      },
    });
    return (await this.listSilences()).find((x) => x.id === id)!;
  }
  async deleteSilence(id: string): Promise<boolean> {
    return (await this.db.silence.deleteMany({ where: { id } })).count > 0;
  }

  async listChannels() {
    return (await this.db.notificationChannel.findMany({ orderBy: { createdAt: "asc" } })).map((r) =>
      maskChannel(toChannel(r)),
    );
  }
  async getChannel(id: string): Promise<Channel | null> {
    const r = await this.db.notificationChannel.findUnique({ where: { id } });
    return r ? maskChannel(toChannel(r)) : null;
  }
  async createChannel(input: z.infer<typeof channelInputSchema>) {
    const id = randomUUID();
    await this.db.notificationChannel.create({ data: { id, ...channelData(input) } });
    return (await this.getChannel(id))!;
  }
  /** Header values sent back masked ("********") keep their stored value (secrets are write-only). */
  async updateChannel(id: string, input: z.infer<typeof channelInputSchema>) {
    const old = await this.db.notificationChannel.findUnique({ where: { id } });
    if (!old) return null;
    const prev = toChannel(old);
    if ("headers" in input.settings && "headers" in prev.settings) {
      for (const [k, v] of Object.entries(input.settings.headers))
        if (v === "********" && k in prev.settings.headers) input.settings.headers[k] = prev.settings.headers[k]!;
    }
    await this.db.notificationChannel.update({ where: { id }, data: channelData(input) });
    return this.getChannel(id);
  }
  async deleteChannel(id: string): Promise<boolean> {
    return (await this.db.notificationChannel.deleteMany({ where: { id } })).count > 0;
  }

  /** The rule's query evaluated at `points` instants across the window, for the editor's chart. */
  async preview(def: RuleDefinition, fromMs: number, toMs: number, points = 30) {
    const rule: AlertRule = { ...def, id: "preview" };
    const stepMs = Math.max(1000, Math.floor((toMs - fromMs) / points));
    const series = new Map<string, { labels: Record<string, string>; points: { t: number; value: number | null }[] }>();
    let last = null as ReturnType<typeof evaluateRule> | null;
    for (let t = fromMs + stepMs; t <= toMs; t += stepMs) {
      last = evaluateRule(rule, await runQuery(rule, this.dataSource, t), t);
      if (last.status !== "ok") continue;
      for (const s of last.samples) {
        const k = labelKey(s.labels);
        if (!series.has(k)) series.set(k, { labels: s.labels, points: [] });
        series.get(k)!.points.push({ t, value: s.value });
      }
    }
    const top = [...series.values()]
      .sort(
        (a, b) =>
          Math.max(...b.points.map((p) => p.value ?? -Infinity)) -
          Math.max(...a.points.map((p) => p.value ?? -Infinity)),
      )
      .slice(0, 10);
    return {
      from: fromMs,
      to: toMs,
      stepMs,
      threshold: "threshold" in def ? def.threshold : null,
      op: "op" in def ? def.op : null,
      series: top,
      seriesTotal: series.size,
      current: last
        ? last.status === "ok"
          ? { status: "ok", active: last.samples.filter((s) => s.active).length }
          : { status: last.status, reason: last.reason }
        : null,
    };
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const stateOrder = (s: string) => ["firing", "pending", "error", "nodata", "resolved"].indexOf(s);

function silenceStatus(startsAt: number, endsAt: number, now: number): "expired" | "pending" | "active" {
  return endsAt <= now ? "expired" : startsAt > now ? "pending" : "active";
}
