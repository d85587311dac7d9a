import "server-only";
import { assertFence, type Fence } from "../control";
import { insertRowBatches, type ControlDb } from "../store";
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

type RuleRow = { id: string; name: string; enabled: boolean; definition: string; createdAt: Date; updatedAt: Date };

export function toStoredRule(row: RuleRow): StoredRule | null {
  const parsed = parseDefinition(row.definition);
  return parsed && storedRule(row, parsed);
}

function parseDefinition(definition: string): RuleDefinition | null {
  const parsed = ruleDefinitionSchema.safeParse(JSON.parse(definition));
  return parsed.success ? parsed.data : null;
}

function storedRule(row: RuleRow, def: RuleDefinition): StoredRule {
  return {
    id: row.id,
    rule: { ...def, id: row.id, name: row.name, enabled: row.enabled },
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  };
}

/**
 * Parsed rule definitions by database and rule id, reused while the stored JSON is unchanged:
 * every tick lists the rules, and parsing a thousand definitions with zod on every tick was
 * work the thread that answers the API did again and again.
 */
const parsedRules = new WeakMap<ControlDb, Map<string, { definition: string; parsed: RuleDefinition | null }>>();

export async function listRules(db: ControlDb): Promise<StoredRule[]> {
  const rows = await db.alertRule.findMany({ orderBy: { createdAt: "asc" } });
  let cache = parsedRules.get(db);
  if (!cache) parsedRules.set(db, (cache = new Map()));
  const seen = new Set<string>();
  const out: StoredRule[] = [];
  for (const row of rows) {
    seen.add(row.id);
    let hit = cache.get(row.id);
    if (hit?.definition !== row.definition)
      cache.set(row.id, (hit = { definition: row.definition, parsed: parseDefinition(row.definition) }));
    if (hit.parsed) out.push(storedRule(row, hit.parsed));
  }
  for (const id of cache.keys()) if (!seen.has(id)) cache.delete(id);
  return out;
}

export function ruleData(def: RuleDefinition) {
  return { name: def.name, enabled: def.enabled, definition: JSON.stringify(def) };
}

export function toChannel(row: {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  settings: string;
}): Channel {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    enabled: row.enabled,
    settings: JSON.parse(row.settings),
  } as Channel;
}

export function channelData(input: ChannelInput) {
  return { name: input.name, type: input.type, enabled: input.enabled, settings: JSON.stringify(input.settings) };
}

export function toSilence(row: {
  id: string;
  matchers: string;
  startsAt: Date;
  endsAt: Date;
  comment: string;
  createdBy: string;
  createdAt: Date;
}) {
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
  return rows.map((r) => ({
    id: r.id,
    matchers: JSON.parse(r.matchers) as Matcher[],
    startsAt: r.startsAt.getTime(),
    endsAt: r.endsAt.getTime(),
  }));
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

const CHUNK = 500;

function chunks<T>(list: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const INSTANCE_COLUMNS = [
  "id",
  "ruleId",
  "fingerprint",
  "state",
  "labels",
  "annotations",
  "value",
  "reason",
  "activeAt",
  "firedAt",
  "resolvedAt",
  "keepFiringSince",
  "lastEvalAt",
  "missingEvals",
  "notifiedState",
  "lastSentAt",
  "notifiedChannels",
] as const;
const HISTORY_COLUMNS = [
  "ruleId",
  "ruleName",
  "fingerprint",
  "labels",
  "fromState",
  "toState",
  "value",
  "reason",
  "at",
] as const;
const OUTBOX_COLUMNS = [
  "channelId",
  "ruleId",
  "fingerprint",
  "status",
  "payload",
  "attempts",
  "nextAttempt",
  "state",
  "lastError",
  "createdAt",
] as const;
/**
 * Writes one tick through Prisma in one interactive transaction, on SQLite and PostgreSQL
 * alike: instances upserted or deleted, history and outbox rows appended. With a `fence`, the
 * transaction first checks that this process still holds the leader lease: a deposed leader's
 * tick fails whole and writes nothing, so no transition or notification is recorded twice
 * across a failover.
 */
export async function writeTick(
  db: ControlDb,
  c: TickChanges,
  fence: Fence | null = null,
  now = Date.now(),
): Promise<void> {
  if (!c.upserts.length && !c.deletes.length && !c.history.length && !c.outbox.length) return;
  const deleteIds = c.deletes.map((d) => instanceId(d.ruleId, d.fingerprint));
  const instances = c.upserts.map((s) => ({ id: instanceId(s.ruleId, s.fingerprint), ...instanceData(s) }));
  const history = c.history.map((h) => ({
    ...h,
    labels: JSON.stringify(h.labels),
    value: h.value !== null && Number.isFinite(h.value) ? h.value : null,
    at: new Date(h.at),
  }));
  const createdAt = new Date();
  const outbox = c.outbox.map((o) => ({
    ...o,
    attempts: 0,
    nextAttempt: new Date(o.nextAttempt),
    state: "pending",
    lastError: "",
    createdAt,
  }));
  await db.$transaction(
    async (tx) => {
      await assertFence(tx, fence, now);
      for (const ids of chunks(deleteIds)) await tx.alertInstance.deleteMany({ where: { id: { in: ids } } });
      await insertRowBatches(tx, "AlertInstance", INSTANCE_COLUMNS, instances, "id");
      await insertRowBatches(tx, "AlertHistory", HISTORY_COLUMNS, history);
      await insertRowBatches(tx, "NotificationOutbox", OUTBOX_COLUMNS, outbox);
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}
