import "server-only";
import type { Db } from "./open";
import { toFtsQuery } from "./logs-text-query";
import { hasLegacyLogIds, LEGACY_ID_LIMIT, logIdRange, readOvershoot } from "./logs-ids";
import type { LogFilter } from "../telemetry-store";

/** A filter's conditions on `logs l` without its text, and the text as an FTS5 expression. */
export interface CompiledFilter {
  where: string[];
  args: unknown[];
  joinResource: boolean;
  /** undefined: no text filter; null: a text with nothing to search for (matches nothing). */
  match: string | null | undefined;
}

/** One place to read matching rows from: `FROM ${from} WHERE ${where}`, `l` being the log row. */
export interface LogSource {
  from: string;
  where: string[];
  args: unknown[];
  /** Set on the text index in id order: rows come newest id first with this ORDER BY. */
  orderById?: string;
}

const jsonPath = (key: string) => `$."${key.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

export function compileFilter(f: LogFilter): CompiledFilter {
  const where = ["l.time_ns >= ?", "l.time_ns < ?"];
  const args: unknown[] = [f.fromNs, f.toNs];
  let joinResource = false;
  if (f.service) {
    where.push("l.service = ?");
    args.push(f.service);
  }
  if (f.minSeverity !== undefined && f.minSeverity > 0) {
    where.push("l.severity >= ?");
    args.push(f.minSeverity);
  }
  if (f.traceId) {
    where.push("l.trace_id = ?");
    args.push(f.traceId.toLowerCase());
  }
  if (f.spanId) {
    where.push("l.span_id = ?");
    args.push(f.spanId.toLowerCase());
  }
  for (const a of f.attributes ?? []) {
    joinResource = true;
    where.push(
      `coalesce(CAST(json_extract(l.attributes, ?) AS TEXT), CAST(json_extract(r.attributes, ?) AS TEXT)) = ?`,
    );
    args.push(jsonPath(a.key), jsonPath(a.key), a.value);
  }
  return { where, args, joinResource, match: f.text === undefined ? undefined : toFtsQuery(f.text) };
}

const RESOURCE_JOIN = ` LEFT JOIN resources r ON r.id = l.resource_id`;

/**
 * Where a compiled filter's rows are, for a window [fromNs, toNs) (toNs may be below the
 * filter's own end: a page cursor). Without text: the log rows. With text: the text index
 * over the window's id range joined to the rows (logs-ids.ts), and, while lines numbered
 * by arrival remain (a database from before time-ordered ids), those lines through the
 * time index's id range.
 */
export function sourcesOf(
  db: Db,
  c: CompiledFilter,
  fromNs: bigint,
  toNs: bigint,
  after?: { timeNs: bigint; id: number },
): LogSource[] {
  const join = c.joinResource ? RESOURCE_JOIN : "";
  if (c.match === undefined) return [{ from: `logs l${join}`, where: c.where, args: c.args }];
  if (c.match === null || toNs <= fromNs) return [];
  const overshoot = readOvershoot(db);
  const range = logIdRange(fromNs, toNs, overshoot);
  const lo = range.lo;
  let hi = range.hi;
  // After a page's last line (time t, id i): lines at t have smaller ids, earlier lines ids
  // below t's range; deep pages into a burst with one timestamp stay cheap.
  if (after && after.timeNs > fromNs && after.id >= LEGACY_ID_LIMIT) {
    hi = Math.min(hi, Math.max(after.id - 1, logIdRange(fromNs, after.timeNs, overshoot).hi));
  }
  const sources: LogSource[] = [
    {
      from: `logs_fts CROSS JOIN logs l ON l.id = logs_fts.rowid${join}`,
      where: ["logs_fts MATCH ?", "logs_fts.rowid BETWEEN ? AND ?", ...c.where],
      args: [c.match, BigInt(lo), BigInt(hi), ...c.args],
      orderById: "logs_fts.rowid DESC",
    },
  ];
  if (hasLegacyLogIds(db)) {
    const range = db
      .prepare(
        `SELECT min(id) AS lo, max(id) AS hi FROM logs INDEXED BY logs_time_fp WHERE time_ns >= ? AND time_ns < ? AND id < ?`,
      )
      .get(fromNs, toNs, LEGACY_ID_LIMIT) as { lo: number | null; hi: number | null };
    if (range.lo !== null && range.hi !== null) {
      sources.push({
        from: `logs l${join}`,
        where: [...c.where, `l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? AND rowid BETWEEN ? AND ?)`],
        args: [...c.args, c.match, range.lo, range.hi],
      });
    }
  }
  return sources;
}
