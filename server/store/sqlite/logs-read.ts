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

export { countLogs, countLogsByService, countLogsWithin, listLogServices, type LogCountRow } from "./logs-count";
