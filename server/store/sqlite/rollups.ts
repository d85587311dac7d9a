import "server-only";
import { mergeRedRowsByHour } from "../hour-rows";
import type { Db } from "./open";
import { createSketch, encodeSketch, mergeEncodedInto, type Sketch } from "../sketch";
import type { RedMinute, RedQuery, RollupStore, ServiceEntry } from "../telemetry-store";

/**
 * RED minute rollups and the service catalog (tables red_minute, services), both keyed by
 * environment ('' = none). A merge that meets a stored minute adds to it (counts summed,
 * sketches merged) in one transaction; the catalog only widens.
 */
/** Minutes kept open behind the newest merged one, and bounds on the cells kept. */
const OPEN_MINUTES = 3;
const OPEN_CELLS_CAP = 100_000;

/** Per connection: drops the open-minute cells (after a rollback the database holds less). */
const forgetters = new WeakMap<Db, () => void>();

/** Called when a transaction that held RED merges rolled back (see rollup-journal.ts). */
export function forgetOpenRedCells(db: Db): void {
  forgetters.get(db)?.();
}

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
  // The writer's open minutes: the row last written per key, so a flush adds to it without a
  // SELECT and a decode per active cell (this store is the only writer of red_minute). Dropped
  // whole when a transaction fails (the database may then hold less than these rows say).
  const open = new Map<string, { count: number; errors: number; sketch: Sketch; minute: number }>();
  let newestMinute = 0;
  forgetters.set(db, () => open.clear());
  const merge = db.transaction((rows: readonly RedMinute[], services: readonly ServiceEntry[]) => {
    for (const r of rows) {
      const key = `${r.minute}\u0000${r.service}\u0000${r.environment}\u0000${r.operation}\u0000${r.kind}`;
      let cell = open.get(key);
      if (!cell) {
        const prev = st.get.get(r.service, r.environment, r.operation, r.kind, r.minute) as
          { count: number; errors: number; sketch: Buffer } | undefined;
        cell = { count: prev?.count ?? 0, errors: prev?.errors ?? 0, sketch: createSketch(), minute: r.minute };
        if (prev) mergeEncodedInto(cell.sketch, prev.sketch);
        open.set(key, cell);
      }
      cell.count += r.count;
      cell.errors += r.errors;
      mergeEncodedInto(cell.sketch, r.sketch);
      st.put.run(
        r.service,
        r.environment,
        r.operation,
        r.kind,
        r.minute,
        cell.count,
        cell.errors,
        encodeSketch(cell.sketch),
      );
      newestMinute = Math.max(newestMinute, r.minute);
    }
    for (const s of services)
      st.upsertService.run(s.name, s.environment ?? "", s.namespace, s.firstSeenMs, s.lastSeenMs);
  });
  const mergeRed = (rows: readonly RedMinute[], services: readonly ServiceEntry[]) => {
    try {
      merge(rows, services);
    } catch (err) {
      open.clear();
      throw err;
    }
    // Minutes well behind the newest are closed: late spans for them take the SELECT path.
    for (const [k, c] of open) if (c.minute < newestMinute - OPEN_MINUTES || open.size > OPEN_CELLS_CAP) open.delete(k);
  };
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
    mergeRed,
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
