import "server-only";
import type { Db } from "./open";

/**
 * Row ids of log lines follow their event time, so a time window is a rowid range and the
 * text index (FTS5 returns a term's rows in rowid order and seeks to a rowid) reads only the
 * window's part of a term's posting list, newest first, and can stop after a page.
 *
 * - id = ms × SLOTS_PER_MS + slot, ms being the event time in epoch milliseconds clamped to
 *   [ID_FLOOR_MS, ID_CEIL_MS] (ids stay exact JS numbers: below 2^53 until the year 2109).
 *   The wanted slot is the position inside the millisecond (sub-ms order kept at 0.5 µs);
 *   when it is taken the line takes the next free id above it, which may lie in a later
 *   millisecond (a burst of lines with one timestamp: senders with second precision).
 * - An id never lies below its time's base id, and at most `overshoot` ms above it: the
 *   largest distance ever assigned, kept in log_meta. The ids of a window [from, to) are
 *   then inside [base(from), base(to) + overshoot + 1 ms): a superset, always filtered by
 *   time_ns, never missing a late line (a late line gets the id of its time, not of its
 *   arrival).
 * - Databases written before this scheme numbered lines by arrival (1, 2, 3...): those ids are
 *   all below LEGACY_ID_LIMIT and keep being read by the time index (logs-filter.ts sourcesOf)
 *   until retention removes them.
 */
export const SLOTS_PER_MS = 2048;
export const ID_FLOOR_MS = Date.UTC(2000, 0, 1);
/** 2^42 ms × 2048 = 2^53; 2^30 ms (12 days) left above the ceiling for overshoot. */
export const ID_CEIL_MS = 2 ** 42 - 1 - 2 ** 30;
export const LEGACY_ID_LIMIT = ID_FLOOR_MS * SLOTS_PER_MS;

const MS_NS = 1_000_000n;

function clampMs(ms: number): number {
  return Math.min(ID_CEIL_MS, Math.max(ID_FLOOR_MS, ms));
}

/** The id a line of this event time asks for (its slot may be taken: see the appender). */
export function wantedLogId(timeNs: bigint): number {
  const ms = Number(timeNs / MS_NS);
  const c = clampMs(ms);
  if (c !== ms) return c * SLOTS_PER_MS;
  const subNs = Number(timeNs - BigInt(ms) * MS_NS);
  return c * SLOTS_PER_MS + Math.floor((subNs * SLOTS_PER_MS) / 1_000_000);
}

/** How many ms an assigned id lies above its time's millisecond. */
export function overshootMs(id: number, timeNs: bigint): number {
  return Math.floor(id / SLOTS_PER_MS) - clampMs(Number(timeNs / MS_NS));
}

/** Upper bound (exclusive) of the event time of the line with this id: nothing after it. */
export function timeBoundOfId(id: number): bigint {
  const ms = Math.floor(id / SLOTS_PER_MS);
  return ms >= ID_CEIL_MS ? BigInt(Number.MAX_SAFE_INTEGER) * MS_NS : BigInt(ms + 1) * MS_NS;
}

/** Inclusive id range holding every new-scheme line with fromNs <= time < toNs. */
export function logIdRange(fromNs: bigint, toNs: bigint, overshoot: number): { lo: number; hi: number } {
  const lo = clampMs(Number(fromNs / MS_NS)) * SLOTS_PER_MS;
  const lastMs = clampMs(Number((toNs - 1n) / MS_NS));
  const hi = (Math.min(2 ** 42 - 1, lastMs + overshoot) + 1) * SLOTS_PER_MS - 1;
  return { lo, hi };
}

/** Creates the log id bookkeeping (the writer, on open: databases of any age). */
export function ensureLogMeta(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS log_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID`);
}

/** The largest overshoot assigned so far (0 when none, or on a database no writer prepared yet). */
export function readOvershoot(db: Db): number {
  try {
    const v = db.prepare(`SELECT value FROM log_meta WHERE key = 'overshoot_ms'`).pluck().get() as number | undefined;
    return v ?? 0;
  } catch {
    return 0;
  }
}

export function writeOvershoot(db: Db, ms: number): void {
  db.prepare(
    `INSERT INTO log_meta (key, value) VALUES ('overshoot_ms', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`,
  ).run(ms);
}

/** True while lines numbered by arrival (a database from before this scheme) remain. */
export function hasLegacyLogIds(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM logs WHERE id < ? LIMIT 1`).get(LEGACY_ID_LIMIT) !== undefined;
}
