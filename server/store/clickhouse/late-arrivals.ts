import "server-only";
import { queryRows, type Connection } from "./connection";
import { compactHour } from "./hour-rollups";
import { mergeMinutes } from "./minute-rollups";
import { dayOf, sqlInt, sqlString, sqlStringList } from "./sql";

/**
 * Spans stored after their window's pass (an exporter that retried for minutes, an instance
 * that restarted with a queue, the callee's half arriving long after the caller's). Every span
 * batch leaves one span_arrivals row per trace, written by ClickHouse from the batch's trace index
 * rows (a materialized view, schema.ts) and stamped by the clock of the node storing them (one
 * clock for all instances; on a cluster the nodes' clocks must agree within MARGIN_S of
 * late-passes.ts). The leader scans the rows stamped since its last scan, finds the
 * windows those traces have spans in, and runs those windows' passes again; a run that read
 * more spans replaces the earlier one (graph-io.ts), and merged minutes or compacted hours
 * covering them are merged again. The scan mark is kept in store_marks, so a new leader or a
 * restarted process continues from where the last scan stopped.
 */
const MARK = "late_scan_s";
const HOUR_MS = 3_600_000;

/** The ClickHouse clock, epoch seconds (what span_arrivals.stored_s is stamped with). */
export async function readStoreClock(conn: Connection): Promise<number> {
  const [r] = await queryRows<{ s: string | number }>(conn.main, "SELECT toUInt32(now()) AS s");
  return Number(r?.s ?? 0);
}

export async function readLateScanMark(conn: Connection): Promise<number | null> {
  const [r] = await queryRows<{ v: string | number; n: string | number }>(
    conn.main,
    `SELECT max(value) AS v, count() AS n FROM ${conn.settings.database}.store_marks WHERE name = ${sqlString(MARK)}`,
  );
  return r && Number(r.n) > 0 ? Number(r.v) : null;
}

export async function writeLateScanMark(conn: Connection, seconds: number): Promise<void> {
  await conn.main.command({
    query: `INSERT INTO ${conn.settings.database}.store_marks (day, name, value) VALUES (${sqlString(dayOf(seconds * 1000))}, ${sqlString(MARK)}, ${sqlInt(seconds)})`,
  });
}

/**
 * Traces that got spans stored at or after `sinceS`, oldest arrivals first, at most `limit`
 * arrival rows; `throughS`: the stamp of the last row when the limit cut the list, else null.
 */
export async function listArrivedTraces(
  conn: Connection,
  sinceS: number,
  limit: number,
): Promise<{ traceIds: string[]; throughS: number | null }> {
  const rows = await queryRows<{ trace_id: string; s: string | number }>(
    conn.main,
    `SELECT trace_id, toUInt32(stored_s) AS s FROM ${conn.settings.database}.span_arrivals
      WHERE stored_s >= toDateTime(${sqlInt(sinceS)}) ORDER BY stored_s LIMIT ${sqlInt(limit)}`,
  );
  return {
    traceIds: [...new Set(rows.map((r) => r.trace_id))],
    throughS: rows.length >= limit ? Number(rows[rows.length - 1]!.s) : null,
  };
}

/** Starts of the pass windows (width stepMs) in [fromMs, toMs) holding a span of these traces. */
export async function windowsOfTraces(
  conn: Connection,
  traceIds: readonly string[],
  stepMs: number,
  fromMs: number,
  toMs: number,
): Promise<number[]> {
  if (traceIds.length === 0 || fromMs >= toMs) return [];
  const db = conn.settings.database;
  const ids = sqlStringList(traceIds);
  const [range] = await queryRows<{ lo: number | string; hi: number | string; n: number | string }>(
    conn.main,
    `SELECT min(min_minute) AS lo, max(max_minute) AS hi, count() AS n FROM ${db}.trace_index WHERE trace_id IN ${ids}`,
  );
  if (!range || Number(range.n) === 0) return [];
  const lo = Math.max(Number(range.lo), Math.floor(fromMs / 60_000));
  const hi = Math.min(Number(range.hi), Math.floor((toMs - 1) / 60_000));
  if (lo > hi) return [];
  const stepNs = BigInt(stepMs) * 1_000_000n;
  const rows = await queryRows<{ w: string | number }>(
    conn.main,
    `SELECT DISTINCT intDiv(start_ns, ${sqlInt(stepNs)}) AS w FROM ${db}.spans
      WHERE minute >= ${sqlInt(lo)} AND minute <= ${sqlInt(hi)} AND trace_id IN ${ids}
      AND start_ns >= ${sqlInt(BigInt(fromMs) * 1_000_000n)} AND start_ns < ${sqlInt(BigInt(toMs) * 1_000_000n)} ORDER BY w`,
  );
  return rows.map((r) => Number(r.w) * stepMs);
}

/**
 * After windows behind the pairing watermark were paired again: merges again the merged minutes
 * and compacts again the compacted hours they fall in (a new attempt, which readers prefer).
 */
export async function recompactWindows(
  conn: Connection,
  windows: readonly number[],
  stepMs: number,
  nowMs: number,
): Promise<{ minutes: number[]; hours: number[] }> {
  if (windows.length === 0) return { minutes: [], hours: [] };
  const db = conn.settings.database;
  const minutes = new Set<number>();
  const hours = new Set<number>();
  for (const w of windows) {
    for (let m = Math.floor(w / 60_000); m <= Math.floor((w + stepMs - 1) / 60_000); m++) minutes.add(m);
    hours.add(Math.floor(w / HOUR_MS));
  }
  const [merged, compacted] = await Promise.all([
    queryRows<{ m: string | number }>(
      conn.main,
      `SELECT DISTINCT minute AS m FROM ${db}.graph_minutes WHERE minute IN (${[...minutes].map(sqlInt).join(",")})`,
    ),
    queryRows<{ h: string | number }>(
      conn.main,
      `SELECT DISTINCT hour AS h FROM ${db}.graph_hours WHERE hour IN (${[...hours].map(sqlInt).join(",")})`,
    ),
  ]);
  const redoMinutes = merged.map((r) => Number(r.m)).sort((a, b) => a - b);
  const redoHours = compacted.map((r) => Number(r.h)).sort((a, b) => a - b);
  for (const m of redoMinutes) await mergeMinutes(conn, m, m + 1, nowMs);
  for (const h of redoHours) await compactHour(conn, h, nowMs);
  return { minutes: redoMinutes, hours: redoHours };
}
