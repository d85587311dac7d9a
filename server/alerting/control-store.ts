import "server-only";
import type { ControlDb } from "./control-db";
import { Prisma } from "../../generated/prisma/client";
import type { AlertRule, RuleDefinition } from "./rule-schema";
import { ruleDefinitionSchema } from "./rule-schema";
import type { Channel, ChannelInput } from "./channels";
import type { ActiveSilence, Matcher } from "./silences";
import type { AlertInstanceState, AlertState } from "./state-machine";

/** Row ⇄ domain mapping for the control-plane tables. No decisions here. */
const date = (ms: number | null) => (ms === null ? null : new Date(ms));
const ms = (d: Date | null) => (d === null ? null : d.getTime());

export interface StoredRule {
  id: string;
  rule: AlertRule;
  createdAt: number;
  updatedAt: number;
}

export function toStoredRule(row: { id: string; name: string; enabled: boolean; definition: string; createdAt: Date; updatedAt: Date }): StoredRule | null {
  const parsed = ruleDefinitionSchema.safeParse(JSON.parse(row.definition));
  if (!parsed.success) return null;
  return { id: row.id, rule: { ...parsed.data, id: row.id, name: row.name, enabled: row.enabled }, createdAt: row.createdAt.getTime(), updatedAt: row.updatedAt.getTime() };
}

export async function listRules(db: ControlDb): Promise<StoredRule[]> {
  const rows = await db.alertRule.findMany({ orderBy: { createdAt: "asc" } });
  return rows.map(toStoredRule).filter((r): r is StoredRule => r !== null);
}

export function ruleData(def: RuleDefinition) {
  return { name: def.name, enabled: def.enabled, definition: JSON.stringify(def) };
}

export function toChannel(row: { id: string; name: string; type: string; enabled: boolean; settings: string }): Channel {
  return { id: row.id, name: row.name, type: row.type, enabled: row.enabled, settings: JSON.parse(row.settings) } as Channel;
}

export function channelData(input: ChannelInput) {
  return { name: input.name, type: input.type, enabled: input.enabled, settings: JSON.stringify(input.settings) };
}

export function toSilence(row: { id: string; matchers: string; startsAt: Date; endsAt: Date; comment: string; createdBy: string; createdAt: Date }) {
  return {
    id: row.id,
    matchers: JSON.parse(row.matchers) as Matcher[],
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    comment: row.comment,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function loadActiveSilences(db: ControlDb, now: number): Promise<ActiveSilence[]> {
  const rows = await db.silence.findMany({ where: { endsAt: { gt: new Date(now) } } });
  return rows.map((r) => ({ id: r.id, matchers: JSON.parse(r.matchers) as Matcher[], startsAt: r.startsAt.getTime(), endsAt: r.endsAt.getTime() }));
}

type InstanceRow = Awaited<ReturnType<ControlDb["alertInstance"]["findMany"]>>[number];

export function toInstance(r: InstanceRow): AlertInstanceState {
  return {
    ruleId: r.ruleId,
    fingerprint: r.fingerprint,
    labels: JSON.parse(r.labels),
    annotations: JSON.parse(r.annotations),
    state: r.state as AlertState,
    value: r.value,
    reason: r.reason,
    activeAt: ms(r.activeAt),
    firedAt: ms(r.firedAt),
    resolvedAt: ms(r.resolvedAt),
    keepFiringSince: ms(r.keepFiringSince),
    lastEvalAt: r.lastEvalAt.getTime(),
    missingEvals: r.missingEvals,
    notifiedState: r.notifiedState,
    lastSentAt: ms(r.lastSentAt),
    notifiedChannels: JSON.parse(r.notifiedChannels),
  };
}

export function instanceData(s: AlertInstanceState) {
  return {
    ruleId: s.ruleId,
    fingerprint: s.fingerprint,
    state: s.state,
    labels: JSON.stringify(s.labels),
    annotations: JSON.stringify(s.annotations),
    value: s.value !== null && Number.isFinite(s.value) ? s.value : null,
    reason: s.reason,
    activeAt: date(s.activeAt),
    firedAt: date(s.firedAt),
    resolvedAt: date(s.resolvedAt),
    keepFiringSince: date(s.keepFiringSince),
    lastEvalAt: new Date(s.lastEvalAt),
    missingEvals: s.missingEvals,
    notifiedState: s.notifiedState,
    lastSentAt: date(s.lastSentAt),
    notifiedChannels: JSON.stringify(s.notifiedChannels),
  };
}

export const instanceId = (ruleId: string, fingerprint: string) => `${ruleId}:${fingerprint}`;

export async function loadInstances(db: ControlDb): Promise<AlertInstanceState[]> {
  return (await db.alertInstance.findMany()).map(toInstance);
}

export interface HistoryEntry {
  ruleId: string;
  ruleName: string;
  fingerprint: string;
  labels: Record<string, string>;
  fromState: string;
  toState: string;
  value: number | null;
  reason: string;
  at: number;
}

export interface OutboxEntry {
  channelId: string;
  ruleId: string;
  fingerprint: string;
  status: string;
  payload: string;
  nextAttempt: number;
}

/** Everything one tick changes, written in ONE transaction: state, history and the outbox agree. */
export interface TickChanges {
  upserts: AlertInstanceState[];
  deletes: { ruleId: string; fingerprint: string }[];
  history: HistoryEntry[];
  outbox: OutboxEntry[];
}

const INSTANCE_COLUMNS = [
  "id", "ruleId", "fingerprint", "state", "labels", "annotations", "value", "reason", "activeAt", "firedAt", "resolvedAt",
  "keepFiringSince", "lastEvalAt", "missingEvals", "notifiedState", "lastSentAt", "notifiedChannels",
] as const;
const CHUNK = 150;

/**
 * Bulk upsert: one multi-row INSERT ... ON CONFLICT per chunk (SQLite and PostgreSQL syntax),
 * because one Prisma upsert per instance costs milliseconds each and a tick may move thousands.
 */
function upsertInstances(db: ControlDb, list: AlertInstanceState[]) {
  const ops = [];
  const cols = Prisma.raw(INSTANCE_COLUMNS.map((c) => `"${c}"`).join(", "));
  const updates = Prisma.raw(INSTANCE_COLUMNS.filter((c) => c !== "id").map((c) => `"${c}" = excluded."${c}"`).join(", "));
  for (let i = 0; i < list.length; i += CHUNK) {
    const rows = list.slice(i, i + CHUNK).map((s) => {
      const d: Record<string, unknown> = { id: instanceId(s.ruleId, s.fingerprint), ...instanceData(s) };
      return Prisma.sql`(${Prisma.join(INSTANCE_COLUMNS.map((c) => d[c] ?? null))})`;
    });
    ops.push(db.$executeRaw`INSERT INTO "AlertInstance" (${cols}) VALUES ${Prisma.join(rows)} ON CONFLICT ("id") DO UPDATE SET ${updates}`);
  }
  return ops;
}

export async function writeTick(db: ControlDb, c: TickChanges): Promise<void> {
  if (!c.upserts.length && !c.deletes.length && !c.history.length && !c.outbox.length) return;
  const deleteIds = c.deletes.map((d) => instanceId(d.ruleId, d.fingerprint));
  const ops = [
    ...Array.from({ length: Math.ceil(deleteIds.length / 500) }, (_, i) => db.alertInstance.deleteMany({ where: { id: { in: deleteIds.slice(i * 500, i * 500 + 500) } } })),
    ...upsertInstances(db, c.upserts),
    ...(c.history.length
      ? [db.alertHistory.createMany({ data: c.history.map((h) => ({ ...h, labels: JSON.stringify(h.labels), value: h.value !== null && Number.isFinite(h.value) ? h.value : null, at: new Date(h.at) })) })]
      : []),
    ...(c.outbox.length ? [db.notificationOutbox.createMany({ data: c.outbox.map((o) => ({ ...o, nextAttempt: new Date(o.nextAttempt) })) })] : []),
  ];
  await db.$transaction(ops);
}
