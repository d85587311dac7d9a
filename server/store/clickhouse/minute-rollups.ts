import "server-only";
import type { MinuteWindow } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { committedPasses, MAX_STEP_MS, mergeAttempt } from "./graph-io";
import { recordRollupChanges } from "./rollup-changes";
import { dayOf, sqlInt, sqlString } from "./sql";

/**
 * Merged edge minutes (schema version 5): one row per edge and closed minute. The server pairs
 * in 10-second passes, so each minute holds six edge_minute rows per edge (~150k an hour at 10M
 * spans a day), and every read of minutes (the open hour, a window's partial hours at its edges)
 * merged their sketches in SQL. Once the pairing watermark has passed a minute (no later pass can
 * add to it), the elected leader merges its rows into edge_merged, committed by one graph_minutes
 * row per minute written last, as the hour compaction does (hour-rollups.ts). Readers take the
 * latest committed attempt of each minute and read the pass rows of uncommitted minutes only,
 * so a merge cut short by a crash counts nothing and one repeated by a second leader counts once.
 */
const MINUTE_MS = 60_000;
/** Minutes merged reach back this far: a day's window and its partial hour at the left edge. */
const LOOKBACK_MS = 25 * 3_600_000;
/** Minutes merged by one statement (one attempt). */
const RUN_MINUTES = 60;

/** Raw columns of an edge row (UNION ALL parts share one column list; sketchMergeSql merges them). */
export const EDGE_COLUMNS = `calls, errors, connects, ${["c", "s"]
  .map((p) => `${p}_n, ${p}_zero, ${p}_sum, ${p}_min, ${p}_max, ${p}_keys, ${p}_counts`)
  .join(", ")}`;

/** `minute` within one of the ranges (an OR the primary key index can use); FALSE for none. */
export function inRanges(ranges: [number, number][]): string {
  if (ranges.length === 0) return "0";
  return `(${ranges.map(([a, b]) => `(minute >= ${sqlInt(a)} AND minute < ${sqlInt(b)})`).join(" OR ")})`;
}

/** Ranges [a, b) of the minutes of [from, to) for which `take(minute)` holds. */
function rangesWhere(from: number, to: number, take: (m: number) => boolean): [number, number][] {
  const out: [number, number][] = [];
  for (let m = from; m < to; m++) {
    if (!take(m)) continue;
    const last = out[out.length - 1];
    if (last && last[1] === m) last[1] = m + 1;
    else out.push([m, m + 1]);
  }
  return out;
}

/** Where an edge read over a window finds each minute: compacted hours, merged minutes, pass rows. */
export interface EdgeSources {
  /** Epoch hours inside the window with a committed hour compaction (read from edge_hour). */
  hours: number[];
  merged: [number, number][];
  raw: [number, number][];
}

/**
 * Decides, with one small read of the commit tables, where each minute of [fromMinute,
 * toMinute) is read from: a compacted hour inside [wholeFrom, wholeTo) (epoch hours; pass an
 * empty range when the caller reads minutes only), else a merged minute, else pass rows. Exact
 * ranges let the primary key skip what is not read (a NOT IN filter would scan it).
 */
export async function planEdgeRead(
  conn: Connection,
  w: MinuteWindow,
  wholeFrom: number,
  wholeTo: number,
): Promise<EdgeSources> {
  const db = conn.settings.database;
  const minutes = `SELECT 'm' AS k, toUInt32(minute) AS v FROM ${db}.graph_minutes WHERE minute >= ${sqlInt(w.fromMinute)} AND minute < ${sqlInt(w.toMinute)}`;
  const rows = await queryRows<{ k: string; v: string | number }>(
    conn.main,
    wholeFrom < wholeTo
      ? `SELECT 'h' AS k, toUInt32(hour) AS v FROM ${db}.graph_hours WHERE hour >= ${sqlInt(wholeFrom)} AND hour < ${sqlInt(wholeTo)} UNION ALL ${minutes}`
      : minutes,
  );
  const hours = new Set(rows.filter((r) => r.k === "h").map((r) => Number(r.v)));
  const merged = new Set(rows.filter((r) => r.k === "m").map((r) => Number(r.v)));
  const inHour = (m: number) => hours.has(Math.floor(m / 60));
  return {
    hours: [...hours].sort((a, b) => a - b),
    merged: rangesWhere(w.fromMinute, w.toMinute, (m) => !inHour(m) && merged.has(m)),
    raw: rangesWhere(w.fromMinute, w.toMinute, (m) => !inHour(m) && !merged.has(m)),
  };
}

/**
 * The minute-exact parts of an edge read (see planEdgeRead), as UNION ALL members with the
 * columns (m, source, target, protocol, EDGE_COLUMNS): merged minutes from edge_merged (the
 * committed attempt of each), the rest from committed pass rows. `where` filters edges.
 */
export function edgeMinuteParts(db: string, plan: EdgeSources, where = ""): string[] {
  const parts: string[] = [];
  if (plan.merged.length > 0) {
    const range = inRanges(plan.merged);
    parts.push(`SELECT toUInt32(minute) AS m, source, target, protocol, ${EDGE_COLUMNS} FROM ${db}.edge_merged
      WHERE ${range}${where} AND (minute, attempt) GLOBAL IN (SELECT minute, max(attempt) FROM ${db}.graph_minutes WHERE ${range} GROUP BY minute)`);
  }
  if (plan.raw.length > 0) {
    const lo = plan.raw[0]![0];
    const hi = plan.raw[plan.raw.length - 1]![1];
    parts.push(`SELECT toUInt32(minute) AS m, source, target, protocol, ${EDGE_COLUMNS} FROM ${db}.edge_minute
      WHERE ${inRanges(plan.raw)}${where} AND ${committedPasses(db, lo * MINUTE_MS - MAX_STEP_MS, hi * MINUTE_MS)}`);
  }
  return parts;
}

/** Contiguous runs (at most RUN_MINUTES long) of `minutes` (sorted). */
function runsOf(minutes: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const m of minutes) {
    const last = runs[runs.length - 1];
    if (last && last[1] === m && m - last[0] < RUN_MINUTES) last[1] = m + 1;
    else runs.push([m, m + 1]);
  }
  return runs;
}

/**
 * Merges every closed minute (ended at or before the pairing watermark, within LOOKBACK_MS) not
 * merged yet, oldest first, at most `maxMinutes` per call; returns the minutes merged. Leader
 * only; a repeat is harmless (readers keep one attempt per minute).
 */
export async function compactGraphMinutes(
  conn: Connection,
  watermarkMs: number,
  nowMs: number,
  maxMinutes = 24 * RUN_MINUTES,
): Promise<number[]> {
  const db = conn.settings.database;
  const end = Math.floor(watermarkMs / MINUTE_MS);
  const [first] = await queryRows<{ p: string | number; n: string | number }>(
    conn.main,
    `SELECT min(pass) AS p, count() AS n FROM ${db}.graph_passes WHERE pass >= ${sqlInt(watermarkMs - LOOKBACK_MS)} AND pass < ${sqlInt(watermarkMs)}`,
  );
  if (!first || Number(first.n) === 0) return [];
  const start = Math.floor(Number(first.p) / MINUTE_MS);
  const done = new Set(
    (
      await queryRows<{ m: string | number }>(
        conn.main,
        `SELECT DISTINCT minute AS m FROM ${db}.graph_minutes WHERE minute >= ${sqlInt(start)} AND minute < ${sqlInt(end)}`,
      )
    ).map((r) => Number(r.m)),
  );
  const due: number[] = [];
  for (let m = start; m < end && due.length < maxMinutes; m++) if (!done.has(m)) due.push(m);
  for (const [a, b] of runsOf(due)) await mergeMinutes(conn, a, b, nowMs);
  return due;
}

/**
 * Minutes [a, b) merged under one attempt, committed minute by minute in one insert written last.
 * A repeat (after late spans re-paired a window) replaces the earlier merge.
 */
export async function mergeMinutes(conn: Connection, a: number, b: number, nowMs: number): Promise<void> {
  const db = conn.settings.database;
  const attempt = sqlString(mergeAttempt(nowMs));
  const bins = (p: string) =>
    `sum(${p}_n), sum(${p}_zero), sum(${p}_sum), minIf(${p}_min, ${p}_n > 0), maxIf(${p}_max, ${p}_n > 0),
      tupleElement(sumMap(${p}_keys, ${p}_counts), 1), tupleElement(sumMap(${p}_keys, ${p}_counts), 2)`;
  await conn.main.command({
    query: `INSERT INTO ${db}.edge_merged SELECT any(day), minute, ${attempt}, source, target, protocol,
      sum(calls), sum(errors), sum(connects), ${bins("c")}, ${bins("s")} FROM ${db}.edge_minute
      WHERE minute >= ${sqlInt(a)} AND minute < ${sqlInt(b)}
      AND ${committedPasses(db, a * MINUTE_MS - MAX_STEP_MS, b * MINUTE_MS)} GROUP BY minute, source, target, protocol`,
  });
  const rows = Array.from(
    { length: b - a },
    (_, i) => `(${sqlString(dayOf((a + i) * MINUTE_MS))}, ${sqlInt(a + i)}, ${attempt}, ${sqlInt(nowMs)})`,
  );
  await conn.main.command({
    query: `INSERT INTO ${db}.graph_minutes (day, minute, attempt, committed_ms) VALUES ${rows.join(", ")}`,
  });
  // Same sums as the pass rows, unless late spans re-paired the minutes since the last merge.
  await recordRollupChanges(conn, [{ fromMinute: a, toMinute: b }]);
}
