import "server-only";
import { randomUUID } from "node:crypto";
import type { MinuteWindow } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { dayOf, sqlInt, sqlString } from "./sql";

/**
 * Rollup change marks (schema version 7). Query threads cache complete blocks of minutes
 * (server/query/hour-cache.ts); a write into minutes that old (a pairing pass catching up, a
 * late re-pass, a minute merged or an hour compacted again, RED rows of late spans) is announced
 * to the threads of the process that made it, but another instance on the same database would
 * keep serving its cached blocks until they expire. So every such write, once committed, leaves a
 * row here with the minute range it touched, stamped by the ClickHouse clock (one clock for every
 * instance), and each map read asks for the rows stamped since its connection last asked
 * (readRollupChanges): the blocks they cover are dropped.
 *
 * Stamps are whole seconds taken when the insert starts; its row shows when it commits. Each read
 * therefore looks MARGIN_S before the clock of the previous read and skips the ids it has seen.
 */
const MARGIN_S = 60;

/** Ranges merged where they overlap or touch (one row per run, not per pass). */
function mergeRanges(ranges: readonly MinuteWindow[]): MinuteWindow[] {
  const sorted = ranges.filter((r) => r.toMinute > r.fromMinute).sort((a, b) => a.fromMinute - b.fromMinute);
  const out: MinuteWindow[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.fromMinute <= last.toMinute) last.toMinute = Math.max(last.toMinute, r.toMinute);
    else out.push({ ...r });
  }
  return out;
}

/** Records that rollups of these minute ranges changed; call after the change committed. */
export async function recordRollupChanges(conn: Connection, ranges: readonly MinuteWindow[]): Promise<void> {
  const rows = mergeRanges(ranges);
  if (rows.length === 0) return;
  const values = rows.map(
    (r) =>
      `(${sqlString(dayOf(Date.now()))}, ${sqlString(randomUUID())}, ${sqlInt(r.fromMinute)}, ${sqlInt(r.toMinute)})`,
  );
  await conn.main.command({
    query: `INSERT INTO ${conn.settings.database}.rollup_changes (day, id, from_minute, to_minute) VALUES ${values.join(", ")}`,
  });
}

interface ReaderState {
  /** The ClickHouse clock at the latest read (epoch seconds), null before the first. */
  clockS: number | null;
  /** Ids read within the margin, by stamp (pruned as the margin moves on). */
  seen: Map<string, number>;
}
const readers = new WeakMap<Connection, ReaderState>();

/**
 * Minute ranges changed since this connection's previous read (on the first: within the last
 * MARGIN_S). Each change is returned once per connection; reads running at once each return
 * the changes the other has not taken yet.
 */
export async function readRollupChanges(conn: Connection): Promise<MinuteWindow[]> {
  let s = readers.get(conn);
  if (!s) readers.set(conn, (s = { clockS: null, seen: new Map() }));
  const since = s.clockS === null ? `now() - ${MARGIN_S}` : `toDateTime(${sqlInt(Math.max(0, s.clockS - MARGIN_S))})`;
  // The clock row (empty id) comes with the changes: the next read starts from it.
  const rows = await queryRows<{ id: string; s: string | number; f: string | number; t: string | number }>(
    conn.main,
    `SELECT '' AS id, toUInt32(now()) AS s, toUInt32(0) AS f, toUInt32(0) AS t
      UNION ALL SELECT id, toUInt32(changed_s) AS s, from_minute AS f, to_minute AS t
      FROM ${conn.settings.database}.rollup_changes WHERE changed_s >= ${since}`,
  );
  const out: MinuteWindow[] = [];
  let clock = s.clockS ?? 0;
  for (const r of rows) {
    if (r.id === "") {
      clock = Math.max(clock, Number(r.s));
      continue;
    }
    if (s.seen.has(r.id)) continue;
    s.seen.set(r.id, Number(r.s));
    out.push({ fromMinute: Number(r.f), toMinute: Number(r.t) });
  }
  s.clockS = clock;
  for (const [id, at] of s.seen) if (at < clock - 2 * MARGIN_S) s.seen.delete(id);
  return mergeRanges(out);
}
