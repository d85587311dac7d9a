import "server-only";
import type { LogRecord, ResourceInfo } from "../../normalize";
import type { Db } from "./open";
import { severityRange } from "./logs-schema";

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
 * Appends log records with their text-index rows and minute counts, inside the caller's
 * transaction. Insert-or-ignore on (time_ns, fingerprint): a retried batch adds nothing, and
 * only inserted rows are indexed and counted. Returns the number inserted.
 */
export function createLogAppender(db: Db) {
  const insertLog = db.prepare(`INSERT OR IGNORE INTO logs
    (time_ns, fingerprint, observed_ns, service, severity, severity_text, body, body_json, trace_id, span_id, flags, resource_id, scope, attributes)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertText = db.prepare(`INSERT INTO logs_fts (rowid, body) VALUES (?, ?)`);
  const addMinute = db.prepare(`INSERT INTO log_minute (service, minute, severity_range, count) VALUES (?, ?, ?, ?)
    ON CONFLICT (service, minute, severity_range) DO UPDATE SET count = count + excluded.count`);
  const insertResource = db.prepare(
    `INSERT OR IGNORE INTO resources (service, namespace, environment, attributes) VALUES (?, ?, ?, ?)`,
  );
  const findResource = db.prepare(`SELECT id FROM resources WHERE attributes = ?`).pluck();
  const byObject = new WeakMap<ResourceInfo, number>();
  const byJson = new Map<string, number>();

  function resourceId(r: ResourceInfo): number {
    const cached = byObject.get(r);
    if (cached !== undefined) return cached;
    const json = JSON.stringify(r.attributes);
    let id = byJson.get(json);
    if (id === undefined) {
      insertResource.run(r.service, r.namespace, r.environment, json);
      id = findResource.get(json) as number;
      if (byJson.size > 10_000) byJson.clear();
      byJson.set(json, id);
    }
    byObject.set(r, id);
    return id;
  }

  function appendLogs(records: readonly LogRecord[]): number {
    let inserted = 0;
    const minutes = new Map<string, { service: string; minute: number; range: number; n: number }>();
    for (const r of records) {
      const body = bodyText(r.body);
      const attributes = JSON.stringify(r.attributes);
      const rid = resourceId(r.resource);
      const fp = hashText(
        `${rid}\u0000${r.severityNumber}\u0000${r.severityText}\u0000${r.traceId}\u0000${r.spanId}\u0000${body.text}\u0000${attributes}`,
      );
      const info = insertLog.run(
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
      if (info.changes === 0) continue;
      inserted++;
      insertText.run(info.lastInsertRowid, body.text);
      const minute = Number(r.timeNs / 60_000_000_000n);
      const range = severityRange(r.severityNumber);
      const key = `${r.resource.service}\u0000${minute}\u0000${range}`;
      const m = minutes.get(key);
      if (m) m.n++;
      else minutes.set(key, { service: r.resource.service, minute, range, n: 1 });
    }
    for (const m of minutes.values()) addMinute.run(m.service, m.minute, m.range, m.n);
    return inserted;
  }

  return { appendLogs };
}
