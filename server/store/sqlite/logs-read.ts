import "server-only";
import type { Db } from "./open";
import { toFtsQuery } from "./logs-text-query";
import type { LogFilter } from "../telemetry-store";

export type { LogFilter } from "../telemetry-store";

export interface StoredLog {
  id: number;
  timeNs: bigint;
  observedNs: bigint;
  severityNumber: number;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  service: string;
  traceId: string | null;
  spanId: string | null;
  scope: { name: string; version: string } | null;
}

export interface LogCursor {
  timeNs: bigint;
  id: number;
}

interface Compiled {
  where: string[];
  args: unknown[];
  joinResource: boolean;
}

const jsonPath = (key: string) => `$."${key.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/**
 * The WHERE clause of a filter over `logs l`. The text filter narrows to the index's
 * matches inside the window's id range (ids grow with arrival, so the range holds every
 * row of the window and bounds the index scan to it).
 */
function compileFilter(db: Db, f: LogFilter): Compiled | null {
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
  if (f.text !== undefined) {
    const match = toFtsQuery(f.text);
    if (match === null) return null;
    const range = db
      .prepare(
        `SELECT min(id) AS lo, max(id) AS hi FROM logs INDEXED BY logs_time_fp WHERE time_ns >= ? AND time_ns < ?`,
      )
      .get(f.fromNs, f.toNs) as { lo: number | null; hi: number | null };
    if (range.lo === null || range.hi === null) return { where: ["0"], args: [], joinResource: false };
    where.push(`l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? AND rowid BETWEEN ? AND ?)`);
    args.push(match, range.lo, range.hi);
  }
  return { where, args, joinResource };
}

const FROM = (c: Compiled) => (c.joinResource ? `logs l LEFT JOIN resources r ON r.id = l.resource_id` : `logs l`);

interface LogRow {
  id: bigint;
  time_ns: bigint;
  observed_ns: bigint;
  service: string;
  severity: bigint;
  severity_text: string;
  body: string;
  body_json: bigint;
  trace_id: string | null;
  span_id: string | null;
  scope: string | null;
  attributes: string;
  r_attributes: string | null;
}

function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toStoredLog(r: LogRow): StoredLog {
  return {
    id: Number(r.id),
    timeNs: r.time_ns,
    observedNs: r.observed_ns,
    severityNumber: Number(r.severity),
    severityText: r.severity_text,
    body: r.body_json ? parse(r.body) : r.body,
    attributes: (parse(r.attributes) ?? {}) as Record<string, unknown>,
    resource: (parse(r.r_attributes) ?? {}) as Record<string, unknown>,
    service: r.service,
    traceId: r.trace_id,
    spanId: r.span_id,
    scope: parse(r.scope) as StoredLog["scope"],
  };
}

const COLUMNS = `l.id, l.time_ns, l.observed_ns, l.service, l.severity, l.severity_text, l.body, l.body_json, l.trace_id, l.span_id, l.scope, l.attributes,
  (SELECT attributes FROM resources WHERE id = l.resource_id) AS r_attributes`;

/** Newest first (time, then arrival); `after` continues from the last row of a page. */
export function searchLogs(db: Db, f: LogFilter, limit: number, after?: LogCursor): StoredLog[] {
  const c = compileFilter(db, f);
  if (!c) return [];
  const where = [...c.where];
  const args = [...c.args];
  if (after) {
    where.push("(l.time_ns < ? OR (l.time_ns = ? AND l.id < ?))");
    args.push(after.timeNs, after.timeNs, after.id);
  }
  const rows = db
    .prepare(
      `SELECT ${COLUMNS} FROM ${FROM(c)} WHERE ${where.join(" AND ")} ORDER BY l.time_ns DESC, l.id DESC LIMIT ?`,
    )
    .safeIntegers(true)
    .all(...args, limit) as LogRow[];
  return rows.map(toStoredLog);
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
  const c = compileFilter(db, f);
  if (!c) return [];
  const stepNs = BigInt(stepMs) * 1_000_000n;
  const rows = db
    .prepare(
      `SELECT ((l.time_ns - ?) / ?) AS b,
              CASE WHEN l.severity <= 0 THEN 0 WHEN l.severity >= 21 THEN 6 ELSE (l.severity - 1) / 4 + 1 END AS sr,
              count(*) AS n FROM ${FROM(c)} WHERE ${c.where.join(" AND ")} GROUP BY b, sr`,
    )
    .safeIntegers(true)
    .all(f.fromNs, stepNs, ...c.args) as { b: bigint; sr: bigint; n: bigint }[];
  return rows.map((r) => ({ t: fromMs + Number(r.b) * stepMs, severityRange: Number(r.sr), count: Number(r.n) }));
}

/** Matching lines per service in the window (log alert rules), capped per query. */
export function countLogsByService(db: Db, f: LogFilter): { service: string; count: number }[] {
  const c = compileFilter(db, f);
  if (!c) return [];
  return db
    .prepare(
      `SELECT l.service AS service, count(*) AS count FROM ${FROM(c)} WHERE ${c.where.join(" AND ")} GROUP BY l.service`,
    )
    .all(...c.args) as { service: string; count: number }[];
}

/** Services that wrote any log line since `sinceMs` (from the minute counts). */
export function listLogServices(db: Db, sinceMs: number): string[] {
  return db
    .prepare(`SELECT DISTINCT service FROM log_minute WHERE minute >= ?`)
    .pluck()
    .all(Math.floor(sinceMs / 60_000)) as string[];
}
