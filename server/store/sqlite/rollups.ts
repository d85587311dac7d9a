import "server-only";
import { mergeRedRowsByHour } from "../hour-rows";
import type { Db } from "./open";
import { mergeEncodedSketches } from "../sketch";
import type { RedMinute, RedQuery, RollupStore, ServiceEntry } from "../telemetry-store";

/**
 * RED minute rollups and the service catalog (tables red_minute, services), both keyed by
 * environment ('' = none). A merge that meets a stored minute adds to it (counts summed,
 * sketches merged) in one transaction; the catalog only widens.
 */
export function createRollupStore(db: Db): RollupStore {
  const st = {
    get: db.prepare(
      `SELECT count, errors, sketch FROM red_minute WHERE service = ? AND environment = ? AND operation = ? AND kind = ? AND minute = ?`,
    ),
    put: db.prepare(
      `INSERT OR REPLACE INTO red_minute (service, environment, operation, kind, minute, count, errors, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    upsertService: db.prepare(`INSERT INTO services (name, environment, namespace, first_seen_ms, last_seen_ms)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, environment) DO UPDATE SET
        namespace = coalesce(excluded.namespace, namespace),
        first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
        last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`),
    hasService: db.prepare(`SELECT 1 FROM services WHERE name = ?`),
  };
  const merge = db.transaction((rows: readonly RedMinute[], services: readonly ServiceEntry[]) => {
    for (const r of rows) {
      const prev = st.get.get(r.service, r.environment, r.operation, r.kind, r.minute) as
        { count: number; errors: number; sketch: Buffer } | undefined;
      const sketch = prev ? mergeEncodedSketches(prev.sketch, r.sketch) : toBuffer(r.sketch);
      st.put.run(
        r.service,
        r.environment,
        r.operation,
        r.kind,
        r.minute,
        r.count + (prev?.count ?? 0),
        r.errors + (prev?.errors ?? 0),
        sketch,
      );
    }
    for (const s of services)
      st.upsertService.run(s.name, s.environment ?? "", s.namespace, s.firstSeenMs, s.lastSeenMs);
  });
  const readRed = async (q: RedQuery) => {
    const where = ["minute >= ?", "minute < ?"];
    const args: unknown[] = [q.fromMinute, q.toMinute];
    if (q.service !== undefined) {
      where.push("service = ?");
      args.push(q.service);
    }
    if (q.environment !== undefined) {
      where.push("environment = ?");
      args.push(q.environment);
    }
    if (q.operation !== undefined) {
      where.push("operation = ?");
      args.push(q.operation);
    }
    if (q.kinds) where.push(`kind IN (${q.kinds.map((k) => Math.trunc(Number(k))).join(",") || "NULL"})`);
    return db
      .prepare(
        `SELECT service, environment, operation, kind, minute, count, errors, sketch FROM red_minute WHERE ${where.join(" AND ")}`,
      )
      .all(...args) as RedMinute[];
  };
  return {
    mergeRed: (rows, services) => merge(rows, services),
    readRed,
    readRedHours: async (q) => mergeRedRowsByHour(await readRed(q)),
    listOperations: async (service, kind) =>
      db
        .prepare(
          `SELECT DISTINCT operation, kind FROM red_minute WHERE service = ? ${kind !== undefined ? "AND kind = ?" : ""} ORDER BY operation, kind`,
        )
        .all(...(kind !== undefined ? [service, kind] : [service])) as { operation: string; kind: number }[],
    listServices: async (w) => {
      const cols = `name, namespace, NULLIF(environment, '') AS environment, first_seen_ms AS firstSeenMs, last_seen_ms AS lastSeenMs`;
      return (
        w
          ? db
              .prepare(
                `SELECT ${cols} FROM services WHERE last_seen_ms >= ? AND first_seen_ms < ? ORDER BY name, environment`,
              )
              .all(w.fromMs, w.toMs)
          : db.prepare(`SELECT ${cols} FROM services ORDER BY name, environment`).all()
      ) as ServiceEntry[];
    },
    hasService: async (name) => st.hasService.get(name) !== undefined,
  };
}

/** A Buffer view of bytes (better-sqlite3 binds Buffers as BLOBs). */
export function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
