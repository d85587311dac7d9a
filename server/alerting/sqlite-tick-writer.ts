import "server-only";
import Database from "better-sqlite3";
import type { TickChanges } from "./control-store";
import { instanceData, instanceId } from "./control-store";

/**
 * Fast path for a tick's writes on SQLite: prepared statements in one better-sqlite3
 * transaction on the same control.db file (WAL). A busy tick can move thousands of instances;
 * through the Prisma client that costs seconds, here milliseconds. Values are written in the
 * exact format Prisma uses (DateTime as `YYYY-MM-DDTHH:mm:ss.sss+00:00` text), so the Prisma
 * client reads them back unchanged. PostgreSQL deployments use the Prisma path (writeTick).
 */
export type TickWriter = (c: TickChanges) => Promise<void>;

const iso = (d: Date | null) => (d === null ? null : d.toISOString().replace("Z", "+00:00"));

export function createSqliteTickWriter(file: string): { write: TickWriter; close(): void } {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  const upsert = db.prepare(`INSERT INTO "AlertInstance" ("id","ruleId","fingerprint","state","labels","annotations","value","reason","activeAt","firedAt","resolvedAt","keepFiringSince","lastEvalAt","missingEvals","notifiedState","lastSentAt","notifiedChannels")
    VALUES (@id,@ruleId,@fingerprint,@state,@labels,@annotations,@value,@reason,@activeAt,@firedAt,@resolvedAt,@keepFiringSince,@lastEvalAt,@missingEvals,@notifiedState,@lastSentAt,@notifiedChannels)
    ON CONFLICT ("id") DO UPDATE SET "state"=excluded."state","labels"=excluded."labels","annotations"=excluded."annotations","value"=excluded."value","reason"=excluded."reason",
    "activeAt"=excluded."activeAt","firedAt"=excluded."firedAt","resolvedAt"=excluded."resolvedAt","keepFiringSince"=excluded."keepFiringSince","lastEvalAt"=excluded."lastEvalAt",
    "missingEvals"=excluded."missingEvals","notifiedState"=excluded."notifiedState","lastSentAt"=excluded."lastSentAt","notifiedChannels"=excluded."notifiedChannels"`);
  const del = db.prepare(`DELETE FROM "AlertInstance" WHERE "id" = ?`);
  const hist = db.prepare(`INSERT INTO "AlertHistory" ("ruleId","ruleName","fingerprint","labels","fromState","toState","value","reason","at") VALUES (?,?,?,?,?,?,?,?,?)`);
  const out = db.prepare(`INSERT INTO "NotificationOutbox" ("channelId","ruleId","fingerprint","status","payload","attempts","nextAttempt","state","lastError","createdAt") VALUES (?,?,?,?,?,0,?,'pending','',?)`);
  const tx = db.transaction((c: TickChanges, nowIso: string) => {
    for (const d of c.deletes) del.run(instanceId(d.ruleId, d.fingerprint));
    for (const s of c.upserts) {
      const d = instanceData(s);
      upsert.run({
        ...d,
        id: instanceId(s.ruleId, s.fingerprint),
        activeAt: iso(d.activeAt),
        firedAt: iso(d.firedAt),
        resolvedAt: iso(d.resolvedAt),
        keepFiringSince: iso(d.keepFiringSince),
        lastEvalAt: iso(d.lastEvalAt),
        lastSentAt: iso(d.lastSentAt),
      });
    }
    for (const h of c.history) {
      const v = h.value !== null && Number.isFinite(h.value) ? h.value : null;
      hist.run(h.ruleId, h.ruleName, h.fingerprint, JSON.stringify(h.labels), h.fromState, h.toState, v, h.reason, iso(new Date(h.at)));
    }
    for (const o of c.outbox) out.run(o.channelId, o.ruleId, o.fingerprint, o.status, o.payload, iso(new Date(o.nextAttempt)), nowIso);
  });
  return {
    write: async (c) => {
      if (!c.upserts.length && !c.deletes.length && !c.history.length && !c.outbox.length) return;
      tx(c, iso(new Date())!);
    },
    close: () => db.close(),
  };
}
