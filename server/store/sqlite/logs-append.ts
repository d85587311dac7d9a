import "server-only";
import type { LogRecord } from "../../normalize";
import type { Db } from "./open";
import { severityRange } from "./logs-schema";
import { overshootMs, readOvershoot, SLOTS_PER_MS, wantedLogId, writeOvershoot } from "./logs-ids";
import { createTermCounter } from "./logs-terms";
import { ensureLogTextIndex, serviceTag, severityTag, TEXT_TABLE } from "./logs-text-index";
import { createResourceIds, type ResourceIds } from "./resource-ids";

/** 53-bit string hash (cyrb53): fast, well spread, exact in a JS number and an SQLite INTEGER. */
export function hashText(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The stored text of a body: a string as is, anything else as JSON. */
export function bodyText(body: LogRecord["body"]): { text: string; json: boolean } {
  if (typeof body === "string") return { text: body, json: false };
  return { text: JSON.stringify(body) ?? "null", json: true };
}

/**
 * Appends log records with their text-index rows (body words, service and severity tags:
 * logs-text-index.ts), minute counts and frequent words' minute counts (logs-terms.ts), inside the caller's
 * transaction. Insert-or-ignore on (time_ns, fingerprint): a retried batch adds nothing, and
 * only inserted rows are indexed and counted. Returns the number inserted.
 *
 * Each line's row id follows its event time (logs-ids.ts). A taken id is only found out by
 * the insert itself (no lookup on the common path): the insert then ignores the row, a
 * lookup tells a duplicate from a taken id, and a taken id moves to just above the highest
 * taken id near it. The next id handed out per wanted id is remembered, so a burst of lines
 * with one timestamp costs one retry per line at most.
 */
export function createLogAppender(db: Db, resources: ResourceIds = createResourceIds(db)) {
  ensureLogTextIndex(db);
  const insertLog = db.prepare(`INSERT OR IGNORE INTO logs
    (id, time_ns, fingerprint, observed_ns, service, severity, severity_text, body, body_json, trace_id, span_id, flags, resource_id, scope, attributes)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const isStored = db.prepare(`SELECT 1 FROM logs WHERE time_ns = ? AND fingerprint = ?`).pluck();
  const highestNear = db.prepare(`SELECT max(id) FROM logs WHERE id >= ? AND id < ?`).pluck();
  const nextFree = new Map<number, number>();
  const insertText = db.prepare(`INSERT INTO ${TEXT_TABLE} (rowid, body, tags) VALUES (?, ?, ?)`);
  const serviceTags = new Map<string, string>();
  const addMinute = db.prepare(`INSERT INTO log_minute (service, minute, severity_range, count) VALUES (?, ?, ?, ?)
    ON CONFLICT (service, minute, severity_range) DO UPDATE SET count = count + excluded.count`);
  const terms = createTermCounter(db, SLOTS_PER_MS);

  function appendLogs(records: readonly LogRecord[]): number {
    let inserted = 0;
    // Read per call, not cached across calls: a rolled-back transaction takes its raise back.
    let overshoot = readOvershoot(db);
    terms.begin();
    const minutes = new Map<string, { service: string; minute: number; range: number; n: number }>();
    for (const r of records) {
      const body = bodyText(r.body);
      const attributes = JSON.stringify(r.attributes);
      const rid = resources.idOf(r.resource);
      const fp = hashText(
        `${rid}\u0000${r.severityNumber}\u0000${r.severityText}\u0000${r.traceId}\u0000${r.spanId}\u0000${body.text}\u0000${attributes}`,
      );
      const wanted = wantedLogId(r.timeNs);
      let id = nextFree.get(wanted) ?? wanted;
      let stored = false;
      for (;;) {
        const info = insertLog.run(
          id,
          r.timeNs,
          fp,
          r.observedNs,
          r.resource.service,
          r.severityNumber,
          r.severityText,
          body.text,
          body.json ? 1 : 0,
          r.traceId,
          r.spanId,
          r.flags,
          rid,
          r.scope.name || r.scope.version ? JSON.stringify(r.scope) : null,
          attributes,
        );
        if (info.changes > 0) {
          stored = true;
          break;
        }
        if (isStored.get(r.timeNs, fp) !== undefined) break;
        id = ((highestNear.get(id, id + 65_536) as number | null) ?? id) + 1;
      }
      if (!stored) continue;
      if (nextFree.size > 10_000) nextFree.clear();
      nextFree.set(wanted, id + 1);
      const over = overshootMs(id, r.timeNs);
      if (over > overshoot) {
        overshoot = over;
        writeOvershoot(db, over);
      }
      inserted++;
      let sTag = serviceTags.get(r.resource.service);
      if (sTag === undefined) {
        if (serviceTags.size > 10_000) serviceTags.clear();
        sTag = serviceTag(r.resource.service, hashText);
        serviceTags.set(r.resource.service, sTag);
      }
      insertText.run(id, body.text, `${sTag} ${severityTag(r.severityNumber)}`);
      const minute = Number(r.timeNs / 60_000_000_000n);
      const range = severityRange(r.severityNumber);
      terms.countLine(body.text, r.timeNs, range);
      const key = `${r.resource.service}\u0000${minute}\u0000${range}`;
      const m = minutes.get(key);
      if (m) m.n++;
      else minutes.set(key, { service: r.resource.service, minute, range, n: 1 });
    }
    for (const m of minutes.values()) addMinute.run(m.service, m.minute, m.range, m.n);
    terms.flush();
    return inserted;
  }

  return { appendLogs };
}
