import "server-only";
import type { Db } from "./open";
import type { LogFilter } from "../telemetry-store";
import { compileFilter, sourcesOf } from "./logs-filter";
import { timeBoundOfId } from "./logs-ids";
import { COLUMNS, compareNewest, toStoredLog, type LogRow, type StoredLog } from "./logs-rows";

export type { LogFilter } from "../telemetry-store";
export type { StoredLog } from "./logs-rows";

export interface LogCursor {
  timeNs: bigint;
  id: number;
}

/**
 * Newest first (time, then id); `after` continues from the last row of a page. A text search
 * reads the text index newest id first and stops once no later row can be newer than the
 * page's last (ids follow time: logs-ids.ts), so a page costs about its own rows however
 * many lines match in the window.
 */
export function searchLogs(db: Db, f: LogFilter, limit: number, after?: LogCursor): StoredLog[] {
  const c = compileFilter(f);
  const where = [...c.where];
  const args = [...c.args];
  if (after) {
    where.push("(l.time_ns < ? OR (l.time_ns = ? AND l.id < ?))");
    args.push(after.timeNs, after.timeNs, after.id);
  }
  const toNs = after && after.timeNs < f.toNs ? after.timeNs + 1n : f.toNs;
  const rows: LogRow[] = [];
  for (const src of sourcesOf(db, { ...c, where, args }, f.fromNs, toNs, after)) {
    const sql = `SELECT ${COLUMNS} FROM ${src.from} WHERE ${src.where.join(" AND ")}`;
    if (src.orderById) rows.push(...readNewestByIdOrder(db, `${sql} ORDER BY ${src.orderById}`, src.args, limit));
    else {
      const stmt = db.prepare(`${sql} ORDER BY l.time_ns DESC, l.id DESC LIMIT ?`).safeIntegers(true);
      rows.push(...(stmt.all(...src.args, limit) as LogRow[]));
    }
  }
  return rows.sort(compareNewest).slice(0, limit).map(toStoredLog);
}

/**
 * The `limit` newest rows of a statement yielding rows in descending id order. An id bounds
 * its row's time from above (timeBoundOfId), so once the page is full and the next id's
 * bound is at or below the page's oldest time, no later row can enter the page.
 */
function readNewestByIdOrder(db: Db, sql: string, args: unknown[], limit: number): LogRow[] {
  const page: LogRow[] = [];
  let oldest: LogRow | undefined;
  for (const row of db
    .prepare(sql)
    .safeIntegers(true)
    .iterate(...args) as IterableIterator<LogRow>) {
    if (oldest) {
      if (timeBoundOfId(Number(row.id)) <= oldest.time_ns) break;
      if (compareNewest(row, oldest) >= 0) continue;
    }
    page.push(row);
    if (page.length >= limit) {
      page.sort(compareNewest);
      page.length = limit;
      oldest = page[limit - 1];
    }
  }
  return page;
}

/** Every log line of a trace, oldest first (bounded: a runaway trace cannot flood the view). */
export function readTraceLogs(db: Db, traceId: string, limit = 5000): StoredLog[] {
  const rows = db
    .prepare(`SELECT ${COLUMNS} FROM logs l WHERE l.trace_id = ? ORDER BY l.time_ns, l.id LIMIT ?`)
    .safeIntegers(true)
    .all(traceId.toLowerCase(), limit) as LogRow[];
  return rows.map(toStoredLog);
}

export interface LogCountRow {
  /** Step start, epoch ms. */
  t: number;
  /** 0 unspecified, 1 trace .. 6 fatal. */
  severityRange: number;
  count: number;
}

/**
 * Counts per step and severity range. Without text, attribute or trace filters and with a
 * whole-minute step it reads the minute rollup; otherwise it counts the matching rows.
 */
export function countLogs(db: Db, f: LogFilter, stepMs: number): LogCountRow[] {
  const fromMs = Number(f.fromNs / 1_000_000n);
  const rollup =
    f.text === undefined &&
    !f.attributes?.length &&
    !f.traceId &&
    !f.spanId &&
    stepMs % 60_000 === 0 &&
    fromMs % 60_000 === 0;
  if (rollup) {
    const where = ["minute >= ?", "minute < ?"];
    const args: unknown[] = [fromMs / 60_000, Math.ceil(Number(f.toNs / 1_000_000n) / 60_000)];
    if (f.service) {
      where.push("service = ?");
      args.push(f.service);
    }
    if (f.minSeverity) {
      where.push("severity_range >= ?");
      args.push(Math.floor((f.minSeverity - 1) / 4) + 1);
    }
    const stepMin = stepMs / 60_000;
    // Integers bound as bigint: better-sqlite3 binds a number as REAL, which made the division
    // fractional (a 5-minute step came back as one bucket per minute).
    const rows = db
      .prepare(
        `SELECT ((minute - ?) / ?) AS b, severity_range, sum(count) AS n FROM log_minute WHERE ${where.join(" AND ")} GROUP BY b, severity_range`,
      )
      .all(BigInt(fromMs / 60_000), BigInt(stepMin), ...args) as { b: number; severity_range: number; n: number }[];
    return rows.map((r) => ({ t: fromMs + r.b * stepMs, severityRange: r.severity_range, count: r.n }));
  }
  const stepNs = BigInt(stepMs) * 1_000_000n;
  const counts = new Map<string, LogCountRow>();
  for (const src of sourcesOf(db, compileFilter(f), f.fromNs, f.toNs)) {
    const rows = db
      .prepare(
        `SELECT ((l.time_ns - ?) / ?) AS b,
                CASE WHEN l.severity <= 0 THEN 0 WHEN l.severity >= 21 THEN 6 ELSE (l.severity - 1) / 4 + 1 END AS sr,
                count(*) AS n FROM ${src.from} WHERE ${src.where.join(" AND ")} GROUP BY b, sr`,
      )
      .safeIntegers(true)
      .all(f.fromNs, stepNs, ...src.args) as { b: bigint; sr: bigint; n: bigint }[];
    for (const r of rows) {
      const key = `${r.b}.${r.sr}`;
      const row = counts.get(key);
      if (row) row.count += Number(r.n);
      else counts.set(key, { t: fromMs + Number(r.b) * stepMs, severityRange: Number(r.sr), count: Number(r.n) });
    }
  }
  return [...counts.values()];
}

/** Matching lines per service in the window (log alert rules), capped per query. */
export function countLogsByService(db: Db, f: LogFilter): { service: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const src of sourcesOf(db, compileFilter(f), f.fromNs, f.toNs)) {
    const rows = db
      .prepare(
        `SELECT l.service AS service, count(*) AS count FROM ${src.from} WHERE ${src.where.join(" AND ")} GROUP BY l.service`,
      )
      .all(...src.args) as { service: string; count: number }[];
    for (const r of rows) counts.set(r.service, (counts.get(r.service) ?? 0) + r.count);
  }
  return [...counts].map(([service, count]) => ({ service, count }));
}

/** Services that wrote any log line since `sinceMs` (from the minute counts). */
export function listLogServices(db: Db, sinceMs: number): string[] {
  return db
    .prepare(`SELECT DISTINCT service FROM log_minute WHERE minute >= ?`)
    .pluck()
    .all(Math.floor(sinceMs / 60_000)) as string[];
}
