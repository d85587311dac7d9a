import "server-only";
import type { LogCountRow, LogFilter, StoredLog } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { textConditionSql } from "./log-text";
import { dayRangeSql, sqlInt, sqlString } from "./sql";

/**
 * Log reads with the embedded store's semantics (logs-read.ts there): newest first by time
 * then line identity, attribute filters that look at the line's attributes first and its
 * resource's second (compared as text), free text as log-text.ts states. A line that two
 * instances stored twice (one replay received by both at once) is read once.
 */

/** JSON key as it appears between quotes in our stored JSON (visitParam functions match it raw). */
const jsonKey = (key: string) => sqlString(JSON.stringify(key).slice(1, -1));

/** An attribute's value as text, as SQLite's CAST(json_extract(...) AS TEXT) gives it (strings unquoted, true 1, false 0). */
function valueTextSql(column: string, key: string): string {
  const raw = `visitParamExtractRaw(${column}, ${jsonKey(key)})`;
  return `multiIf(substring(${raw}, 1, 1) = '"', visitParamExtractString(${column}, ${jsonKey(key)}), ${raw} = 'true', '1', ${raw} = 'false', '0', ${raw})`;
}

function attributeSql(key: string, value: string): string {
  const inLine = `visitParamHas(attributes, ${jsonKey(key)})`;
  const inResource = `visitParamHas(resource, ${jsonKey(key)})`;
  return `(${inLine} OR ${inResource}) AND if(${inLine}, ${valueTextSql("attributes", key)}, ${valueTextSql("resource", key)}) = ${sqlString(value)}`;
}

/** The WHERE clause of a filter, or null when its text has nothing to search for (no line matches). */
function compileFilter(f: LogFilter): string | null {
  const where = [dayRangeSql(f.fromNs, f.toNs), `time_ns >= ${sqlInt(f.fromNs)}`, `time_ns < ${sqlInt(f.toNs)}`];
  if (f.service) where.push(`service = ${sqlString(f.service)}`);
  if (f.minSeverity !== undefined && f.minSeverity > 0) where.push(`severity >= ${sqlInt(f.minSeverity)}`);
  if (f.traceId) where.push(`trace_id = ${sqlString(f.traceId.toLowerCase())}`);
  if (f.spanId) where.push(`span_id = ${sqlString(f.spanId.toLowerCase())}`);
  for (const a of f.attributes ?? []) where.push(attributeSql(a.key, a.value));
  if (f.text !== undefined) {
    const text = textConditionSql(f.text);
    if (text === null) return null;
    where.push(text);
  }
  return where.join(" AND ");
}

const COLUMNS = `toString(time_ns) AS t, fingerprint AS fp, toString(observed_ns) AS o, service, severity, severity_text, body, body_json,
  trace_id, span_id, scope, attributes, resource`;

interface LogRow {
  t: string;
  fp: string | number;
  o: string;
  service: string;
  severity: number;
  severity_text: string;
  body: string;
  body_json: number;
  trace_id: string;
  span_id: string;
  scope: string;
  attributes: string;
  resource: string;
}

function parse(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toStoredLog(r: LogRow): StoredLog {
  return {
    timeNs: BigInt(r.t),
    observedNs: BigInt(r.o),
    severityNumber: Number(r.severity),
    severityText: r.severity_text,
    body: Number(r.body_json) ? parse(r.body) : r.body,
    attributes: (parse(r.attributes) ?? {}) as Record<string, unknown>,
    resource: (parse(r.resource) ?? {}) as Record<string, unknown>,
    service: r.service,
    traceId: r.trace_id || null,
    spanId: r.span_id || null,
    scope: parse(r.scope) as StoredLog["scope"],
  };
}

const CURSOR = /^(\d{1,20})\.(\d{1,20})$/;

export function isLogCursor(cursor: string): boolean {
  return CURSOR.test(cursor);
}

/** Newest first; a page continues after its cursor (the last line's time and fingerprint). */
export async function searchLogs(
  conn: Connection,
  f: LogFilter,
  limit: number,
  cursor?: string,
): Promise<{ logs: StoredLog[]; nextCursor: string | null }> {
  const where = compileFilter(f);
  if (where === null) return { logs: [], nextCursor: null };
  let after = "";
  if (cursor !== undefined) {
    const m = CURSOR.exec(cursor);
    if (!m) throw new Error("invalid log cursor");
    after = ` AND (time_ns < ${m[1]} OR (time_ns = ${m[1]} AND fingerprint < ${m[2]}))`;
  }
  const rows = await queryRows<LogRow>(
    conn.main,
    `SELECT ${COLUMNS} FROM ${conn.settings.database}.logs WHERE ${where}${after}
      ORDER BY time_ns DESC, fingerprint DESC LIMIT 1 BY time_ns, fingerprint LIMIT ${sqlInt(limit + 1)}`,
  );
  // One line more than the page tells whether another page exists (no cursor to an empty page).
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { logs: page.map(toStoredLog), nextCursor: rows.length > limit && last ? `${last.t}.${last.fp}` : null };
}

/** Every line of one trace, oldest first (bounded). */
export async function readTraceLogs(conn: Connection, traceId: string, limit = 5000): Promise<StoredLog[]> {
  const rows = await queryRows<LogRow>(
    conn.main,
    `SELECT ${COLUMNS} FROM ${conn.settings.database}.logs WHERE trace_id = ${sqlString(traceId.toLowerCase())}
      ORDER BY time_ns, fingerprint LIMIT 1 BY time_ns, fingerprint LIMIT ${sqlInt(limit)}`,
  );
  return rows.map(toStoredLog);
}

/**
 * Counts per step and severity range: from the minute counts when no text, attribute or trace
 * filter applies and the step is whole minutes, else from the matching lines.
 */
export async function countLogs(conn: Connection, f: LogFilter, stepMs: number): Promise<LogCountRow[]> {
  const db = conn.settings.database;
  const fromMs = Number(f.fromNs / 1_000_000n);
  const min = f.minSeverity !== undefined && f.minSeverity > 0 ? f.minSeverity : undefined;
  // As the embedded store (logs-count.ts there): whole minutes from the minute counts when the
  // steps fall on minutes and the minimum severity starts a range; the last, partial minute
  // and everything else from the lines, so both count exactly the matching lines.
  const rollup =
    f.text === undefined &&
    !f.attributes?.length &&
    !f.traceId &&
    !f.spanId &&
    (min === undefined || (min <= 21 && (min - 1) % 4 === 0)) &&
    stepMs % 60_000 === 0 &&
    fromMs % 60_000 === 0;
  const out: LogCountRow[] = [];
  let rawFromNs = f.fromNs;
  const toMin = Number(f.toNs / 60_000_000_000n);
  if (rollup && toMin > fromMs / 60_000) {
    const fromMin = fromMs / 60_000;
    const where = [`minute >= ${sqlInt(fromMin)}`, `minute < ${sqlInt(toMin)}`];
    if (f.service) where.push(`service = ${sqlString(f.service)}`);
    if (min !== undefined) where.push(`severity_range >= ${sqlInt(Math.floor((min - 1) / 4) + 1)}`);
    const rows = await queryRows<{ b: string | number; severity_range: number; n: string | number }>(
      conn.main,
      `SELECT intDiv(toInt64(minute) - ${sqlInt(fromMin)}, ${sqlInt(stepMs / 60_000)}) AS b, severity_range, sum(count) AS n
        FROM ${db}.log_minute WHERE ${where.join(" AND ")} GROUP BY b, severity_range ORDER BY b, severity_range`,
    );
    for (const r of rows) {
      out.push({ t: fromMs + Number(r.b) * stepMs, severityRange: Number(r.severity_range), count: Number(r.n) });
    }
    rawFromNs = BigInt(toMin) * 60_000_000_000n;
  }
  if (rawFromNs >= f.toNs) return out;
  const where = compileFilter({ ...f, fromNs: rawFromNs });
  if (where === null) return out;
  const rows = await queryRows<{ b: string | number; sr: number; n: string | number }>(
    conn.main,
    `SELECT intDiv(toInt64(time_ns) - ${sqlInt(f.fromNs)}, ${sqlInt(BigInt(stepMs) * 1_000_000n)}) AS b,
        multiIf(severity <= 0, 0, severity >= 21, 6, intDiv(severity - 1, 4) + 1) AS sr, uniqExact(time_ns, fingerprint) AS n
      FROM ${db}.logs WHERE ${where} GROUP BY b, sr ORDER BY b, sr`,
  );
  for (const r of rows) {
    const t = fromMs + Number(r.b) * stepMs;
    const row = out.find((o) => o.t === t && o.severityRange === Number(r.sr));
    if (row) row.count += Number(r.n);
    else out.push({ t, severityRange: Number(r.sr), count: Number(r.n) });
  }
  return out;
}

/** Matching lines per service in the window (log alert rules). */
export async function countLogsByService(
  conn: Connection,
  f: LogFilter,
): Promise<{ service: string; count: number }[]> {
  const where = compileFilter(f);
  if (where === null) return [];
  const rows = await queryRows<{ service: string; n: string | number }>(
    conn.main,
    `SELECT service, uniqExact(time_ns, fingerprint) AS n FROM ${conn.settings.database}.logs WHERE ${where} GROUP BY service ORDER BY service`,
  );
  return rows.map((r) => ({ service: r.service, count: Number(r.n) }));
}

/** Services that wrote any line since `sinceMs` (from the minute counts). */
export async function listLogServices(conn: Connection, sinceMs: number): Promise<string[]> {
  const rows = await queryRows<{ service: string }>(
    conn.main,
    `SELECT DISTINCT service FROM ${conn.settings.database}.log_minute WHERE minute >= ${sqlInt(Math.floor(sinceMs / 60_000))} ORDER BY service`,
  );
  return rows.map((r) => r.service);
}
