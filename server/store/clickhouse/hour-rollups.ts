import "server-only";
import type { EdgeMinuteRow, MinuteWindow, RedMinute, RedQuery } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { committedPasses, MAX_STEP_MS, mergeAttempt } from "./graph-io";
import { EDGE_COLUMNS, edgeMinuteParts, planEdgeRead } from "./minute-rollups";
import { anyRecovered, uncoveredRecovered } from "./red-recovery";
import { sketchFromRow, sketchMergeSql } from "./sketch-columns";
import { noteGraphWrite } from "./graph-writes";
import { recordRollupChanges } from "./rollup-changes";
import { dayOf, sqlInt, sqlString } from "./sql";
import { mergeEncodedSketches } from "../sketch";

/**
 * Hour rollups, what a window of many hours reads instead of its minutes (a day: 24 rows per
 * key instead of 1,440, and for the graph 8,640 ten-second pairing passes' rows):
 * - RED: red_hour, an AggregatingMergeTree filled by a materialized view (schema.ts), exact for
 *   every instance's rows, late ones included.
 * - Graph: the elected leader compacts an hour once the pairing watermark has passed its end (no
 *   later pass can add to it): edge_hour gets the hour's merged edge minutes, graph_nodes and
 *   graph_edges one row per node / edge for the hour (pass = the hour's start), and a
 *   graph_hours row commits the attempt last, as graph_passes does for a pass. Readers take the
 *   latest committed attempt of each hour, and for a compacted hour no longer read its passes'
 *   node and edge rows (visibleGraphRows).
 */
const HOUR_MS = 3_600_000;
type Row = Record<string, unknown>;

/**
 * The filter keeping the graph_nodes / graph_edges rows readers count: committed passes of
 * hours not compacted, plus the committed compaction of each compacted hour.
 */
export function visibleGraphRows(db: string): string {
  return `(pass, attempt) GLOBAL IN (
    SELECT pass, max(attempt) FROM ${db}.graph_passes WHERE intDiv(pass, ${HOUR_MS}) GLOBAL NOT IN (SELECT toUInt64(hour) FROM ${db}.graph_hours) GROUP BY pass
    UNION ALL SELECT toUInt64(hour) * ${HOUR_MS}, max(attempt) FROM ${db}.graph_hours GROUP BY hour)`;
}

export function toEdgeRow(r: Row): EdgeMinuteRow {
  return {
    source: String(r.source),
    target: String(r.target),
    protocol: String(r.protocol),
    minute: Number(r.f),
    lastMinute: Number(r.l),
    calls: Number(r.ca),
    errors: Number(r.er),
    connects: Number(r.co),
    clientSketch: sketchFromRow(r, "c"),
    serverSketch: sketchFromRow(r, "s"),
  };
}

/** Whole hours inside [fromMinute, toMinute): [first, end) in epoch hours (empty when first >= end). */
export const wholeHoursOf = (w: MinuteWindow) => [Math.ceil(w.fromMinute / 60), Math.floor(w.toMinute / 60)] as const;

/**
 * Edge rows per hour of [fromMinute, toMinute), one per edge and hour; an hour cut by the window
 * holds only its minutes inside it. A compacted hour inside the window is read from edge_hour,
 * every other minute from merged minutes or pass rows (edgeMinuteParts): each minute from one
 * source only.
 */
export async function readEdgeHours(conn: Connection, w: MinuteWindow): Promise<EdgeMinuteRow[]> {
  const db = conn.settings.database;
  const [wh0, wh1] = wholeHoursOf(w);
  const plan = await planEdgeRead(conn, w, wh0, wh1);
  const parts = edgeMinuteParts(db, plan).map(
    (sql) =>
      `SELECT toUInt32(intDiv(m, 60)) AS hr, source, target, protocol, m AS f, m AS l, ${EDGE_COLUMNS} FROM (${sql})`,
  );
  if (plan.hours.length > 0) {
    const hours = `(${plan.hours.map(sqlInt).join(", ")})`;
    parts.unshift(`SELECT toUInt32(hour) AS hr, source, target, protocol, toUInt32(first_minute) AS f, toUInt32(last_minute) AS l, ${EDGE_COLUMNS}
      FROM ${db}.edge_hour WHERE hour IN ${hours} AND (hour, attempt) GLOBAL IN (SELECT hour, max(attempt) FROM ${db}.graph_hours WHERE hour IN ${hours} GROUP BY hour)`);
  }
  if (parts.length === 0) return [];
  const rows = await queryRows<Row>(
    conn.main,
    `SELECT hr, source, target, protocol, min(f) AS f, max(l) AS l, sum(calls) AS ca, sum(errors) AS er, sum(connects) AS co,
      ${sketchMergeSql("c")}, ${sketchMergeSql("s")} FROM (${parts.join(" UNION ALL ")}) GROUP BY hr, source, target, protocol`,
  );
  return rows.map(toEdgeRow);
}

/** First hour red_hour holds whole (see redHourView in schema.ts); read once per connection. */
const redHourSince = new WeakMap<Connection, Promise<number>>();

function readRedHourSince(conn: Connection): Promise<number> {
  let p = redHourSince.get(conn);
  if (!p) {
    p = queryRows<{ v: string | number }>(
      conn.main,
      `SELECT max(value) AS v FROM ${conn.settings.database}.store_marks WHERE name = 'red_hour_since'`,
    ).then(([r]) => Number(r?.v ?? 0));
    p.catch(() => redHourSince.delete(conn));
    redHourSince.set(conn, p);
  }
  return p;
}

function redFilters(q: RedQuery): string[] {
  const where: string[] = [];
  if (q.service !== undefined) where.push(`service = ${sqlString(q.service)}`);
  if (q.environment !== undefined) where.push(`environment = ${sqlString(q.environment)}`);
  if (q.operation !== undefined) where.push(`operation = ${sqlString(q.operation)}`);
  if (q.kinds && q.kinds.length > 0) where.push(`kind IN (${q.kinds.map(sqlInt).join(",")})`);
  return where;
}

/** One row per key and hour: rows of one key from several reads added up, sketches merged. */
function mergeRedRows(rows: RedMinute[]): RedMinute[] {
  const byKey = new Map<string, RedMinute>();
  for (const r of rows) {
    const k = `${r.minute}\u0000${r.service}\u0000${r.environment}\u0000${r.operation}\u0000${r.kind}`;
    const had = byKey.get(k);
    if (!had) byKey.set(k, r);
    else
      byKey.set(k, {
        ...had,
        count: had.count + r.count,
        errors: had.errors + r.errors,
        sketch: mergeEncodedSketches(had.sketch, r.sketch),
      });
  }
  return [...byKey.values()];
}

function toRedRow(r: Row): RedMinute {
  return {
    service: String(r.service),
    environment: String(r.environment),
    operation: String(r.operation),
    kind: Number(r.kind),
    minute: Number(r.hr) * 60,
    count: Number(r.c),
    errors: Number(r.e),
    sketch: sketchFromRow(r, "d"),
  };
}

/**
 * RED rows per hour of [fromMinute, toMinute), an hour cut by the window holding only its minutes
 * inside it: red_hour for the whole hours from its first whole hour on, red_minute for the rest.
 */
export async function readRedHours(conn: Connection, q: RedQuery): Promise<RedMinute[]> {
  const db = conn.settings.database;
  const [wh0, wh1] = wholeHoursOf(q);
  const since = await readRedHourSince(conn);
  const a = Math.max(since, wh0);
  const keys = "service, environment, operation, kind";
  const reads: Promise<Row[]>[] = [];
  const minutes: string[] = [`minute >= ${sqlInt(q.fromMinute)}`, `minute < ${sqlInt(q.toMinute)}`];
  if (a < wh1) {
    reads.push(
      queryRows<Row>(
        conn.main,
        `SELECT hour AS hr, ${keys}, sumMerge(h_count) AS c, sumMerge(h_errors) AS e, sumMerge(h_n) AS m_d_n, sumMerge(h_zero) AS m_d_zero,
          sumMerge(h_sum) AS m_d_sum, minIfMerge(h_min) AS m_d_min, maxIfMerge(h_max) AS m_d_max, sumMapMerge(h_bins) AS m_d_bins
        FROM ${db}.red_hour WHERE ${[`hour >= ${sqlInt(a)}`, `hour < ${sqlInt(wh1)}`, ...redFilters(q)].join(" AND ")}
        GROUP BY hr, ${keys}`,
      ),
    );
    minutes.push(`(minute < ${sqlInt(a * 60)} OR minute >= ${sqlInt(wh1 * 60)})`);
  }
  if (!(a < wh1 && a * 60 <= q.fromMinute && wh1 * 60 >= q.toMinute))
    reads.push(
      queryRows<Row>(
        conn.main,
        `SELECT intDiv(minute, 60) AS hr, ${keys}, sum(count) AS c, sum(errors) AS e, ${sketchMergeSql("d")} FROM ${db}.red_minute
        WHERE ${[...minutes, ...redFilters(q)].join(" AND ")}
        GROUP BY hr, ${keys}`,
      ),
    );
  // Epochs the leader recovered (rollup-epochs.ts): never in red_hour, which sums flushed rows.
  const window = [`minute >= ${sqlInt(q.fromMinute)}`, `minute < ${sqlInt(q.toMinute)}`, ...redFilters(q)].join(
    " AND ",
  );
  if (await anyRecovered(conn, q.fromMinute, q.toMinute))
    reads.push(
      queryRows<Row>(
        conn.main,
        `SELECT intDiv(minute, 60) AS hr, ${keys}, sum(count) AS c, sum(errors) AS e, ${sketchMergeSql("d")} FROM ${db}.red_recovered
      WHERE ${window} AND ${uncoveredRecovered(db, q.fromMinute, q.toMinute)} GROUP BY hr, ${keys}`,
      ),
    );
  return mergeRedRows((await Promise.all(reads)).flat().map(toRedRow));
}

/**
 * Compacts the graph of every hour that ended at or before the pairing watermark and is not
 * compacted yet (oldest first, at most `maxHours` per call); returns the hours compacted.
 * Leader only; a compaction repeated by a second leader is harmless (readers keep one attempt).
 */
export async function compactGraphHours(
  conn: Connection,
  watermarkMs: number,
  nowMs: number,
  maxHours = 48,
): Promise<number[]> {
  const db = conn.settings.database;
  const due = await queryRows<{ h: string | number }>(
    conn.main,
    `SELECT DISTINCT intDiv(pass, ${HOUR_MS}) AS h FROM ${db}.graph_passes WHERE pass < ${sqlInt(Math.floor(watermarkMs / HOUR_MS) * HOUR_MS)}
      AND h GLOBAL NOT IN (SELECT toUInt64(hour) FROM ${db}.graph_hours) ORDER BY h LIMIT ${sqlInt(maxHours)}`,
  );
  const done: number[] = [];
  for (const { h } of due) {
    const hour = Number(h);
    if ((hour + 1) * HOUR_MS > watermarkMs) break;
    await compactHour(conn, hour, nowMs);
    done.push(hour);
  }
  return done;
}

/** Compacts one hour under a new attempt (a repeat after late spans replaces the earlier one). */
export async function compactHour(conn: Connection, hour: number, nowMs: number): Promise<void> {
  const db = conn.settings.database;
  const attempt = sqlString(mergeAttempt(nowMs));
  const day = sqlString(dayOf(hour * HOUR_MS));
  const startMs = hour * HOUR_MS;
  const ownPasses = committedPasses(db, startMs, startMs + HOUR_MS);
  const bins = (p: string) =>
    `sum(${p}_n), sum(${p}_zero), sum(${p}_sum), minIf(${p}_min, ${p}_n > 0), maxIf(${p}_max, ${p}_n > 0),
      tupleElement(sumMap(${p}_keys, ${p}_counts), 1), tupleElement(sumMap(${p}_keys, ${p}_counts), 2)`;
  const run = (query: string) => conn.main.command({ query });
  await run(
    `INSERT INTO ${db}.edge_hour SELECT ${day}, ${sqlInt(hour)}, ${attempt}, source, target, protocol, min(minute), max(minute),
      sum(calls), sum(errors), sum(connects), ${bins("c")}, ${bins("s")} FROM ${db}.edge_minute
      WHERE minute >= ${sqlInt(hour * 60)} AND minute < ${sqlInt(hour * 60 + 60)} AND ${committedPasses(db, startMs - MAX_STEP_MS, startMs + HOUR_MS)}
      GROUP BY source, target, protocol`,
  );
  // Details are JSON objects; a compacted row keeps the distinct ones joined by newlines (JSON
  // text never holds a raw newline), and readers merge them as they merge several rows.
  await run(
    `INSERT INTO ${db}.graph_nodes SELECT ${day}, ${sqlInt(startMs)}, ${attempt}, id, any(kind), any(name), max(system), max(host), max(port),
      max(database), max(environment), arrayStringConcat(groupUniqArray(detail), '\\n'), min(first_seen_ms), max(last_seen_ms)
      FROM ${db}.graph_nodes WHERE ${ownPasses} GROUP BY id`,
  );
  await run(
    `INSERT INTO ${db}.graph_edges SELECT ${day}, ${sqlInt(startMs)}, ${attempt}, source, target, protocol, min(first_seen_ms), max(last_seen_ms),
      arrayStringConcat(groupUniqArray(detail), '\\n') FROM ${db}.graph_edges WHERE ${ownPasses} GROUP BY source, target, protocol`,
  );
  await run(
    `INSERT INTO ${db}.graph_hours (day, hour, attempt, committed_ms) VALUES (${day}, ${sqlInt(hour)}, ${attempt}, ${sqlInt(nowMs)})`,
  );
  noteGraphWrite(conn);
  await recordRollupChanges(conn, [{ fromMinute: hour * 60, toMinute: hour * 60 + 60 }]);
}
