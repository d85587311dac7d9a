import "server-only";
import type { RedMinute, RedQuery, ServiceEntry } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { anyRecovered, uncoveredRecovered } from "./red-recovery";
import { sketchFromRow, sketchMergeSql } from "./sketch-columns";
import { sqlInt, sqlString } from "./sql";

/** The columns a RED read takes from red_minute and red_recovered alike. */
export const RED_COLUMNS =
  "minute, service, environment, operation, kind, count, errors, d_n, d_zero, d_sum, d_min, d_max, d_keys, d_counts";

/**
 * What RED reads of minutes [fromMinute, toMinute) select from: every writer's flushed rows, plus
 * the rows the leader recovered for epochs no flush covers (rollup-epochs.ts).
 */
export function redSource(db: string, fromMinute: number, toMinute: number, where: string, recovered: boolean): string {
  if (!recovered) return `${db}.red_minute WHERE ${where}`;
  return `(SELECT ${RED_COLUMNS} FROM ${db}.red_minute WHERE ${where}
    UNION ALL SELECT ${RED_COLUMNS} FROM ${db}.red_recovered WHERE ${where} AND ${uncoveredRecovered(db, fromMinute, toMinute)})`;
}

/** RED minute rows of a window, each key's rows from every instance merged into one. */
export async function readRed(conn: Connection, q: RedQuery): Promise<RedMinute[]> {
  const where = [`minute >= ${sqlInt(q.fromMinute)}`, `minute < ${sqlInt(q.toMinute)}`];
  if (q.service !== undefined) where.push(`service = ${sqlString(q.service)}`);
  if (q.environment !== undefined) where.push(`environment = ${sqlString(q.environment)}`);
  if (q.operation !== undefined) where.push(`operation = ${sqlString(q.operation)}`);
  if (q.kinds && q.kinds.length > 0) where.push(`kind IN (${q.kinds.map(sqlInt).join(",")})`);
  const recovered = await anyRecovered(conn, q.fromMinute, q.toMinute);
  const rows = await queryRows<Record<string, unknown>>(
    conn.main,
    `SELECT service, environment, operation, kind, minute, sum(count) AS c, sum(errors) AS e, ${sketchMergeSql("d")}
      FROM ${redSource(conn.settings.database, q.fromMinute, q.toMinute, where.join(" AND "), recovered)} GROUP BY service, environment, operation, kind, minute ORDER BY minute, service, environment, operation, kind`,
  );
  return rows.map((r): RedMinute => ({
    service: String(r.service),
    environment: String(r.environment),
    operation: String(r.operation),
    kind: Number(r.kind),
    minute: Number(r.minute),
    count: Number(r.c),
    errors: Number(r.e),
    sketch: sketchFromRow(r, "d"),
  }));
}

export async function listOperations(
  conn: Connection,
  service: string,
  kind?: number,
): Promise<{ operation: string; kind: number }[]> {
  const db = conn.settings.database;
  const where = `service = ${sqlString(service)}${kind === undefined ? "" : ` AND kind = ${sqlInt(kind)}`}`;
  const rows = await queryRows<{ operation: string; kind: number | string }>(
    conn.main,
    `SELECT DISTINCT operation, kind FROM (SELECT operation, kind FROM ${db}.red_minute WHERE ${where}
      UNION ALL SELECT operation, kind FROM ${db}.red_recovered WHERE ${where} AND count > 0) ORDER BY operation, kind`,
  );
  return rows.map((r) => ({ operation: r.operation, kind: Number(r.kind) }));
}

/** The service catalog, every instance's sightings merged (widest first/last seen, latest non-empty namespace). */
export async function listServices(
  conn: Connection,
  window?: { fromMs: number; toMs: number },
): Promise<ServiceEntry[]> {
  const having = window ? `HAVING l >= ${sqlInt(window.fromMs)} AND f < ${sqlInt(window.toMs)}` : "";
  const rows = await queryRows<Record<string, unknown>>(
    conn.main,
    `SELECT name, environment AS env, argMax(namespace, if(namespace = '', 0, last_seen_ms)) AS ns,
        min(first_seen_ms) AS f, max(last_seen_ms) AS l
      FROM ${conn.settings.database}.services GROUP BY name, environment ${having} ORDER BY name, environment`,
  );
  return rows.map((r) => ({
    name: String(r.name),
    namespace: r.ns ? String(r.ns) : null,
    environment: r.env ? String(r.env) : null,
    firstSeenMs: Number(r.f),
    lastSeenMs: Number(r.l),
  }));
}

export async function hasService(conn: Connection, name: string): Promise<boolean> {
  const [r] = await queryRows<{ n: string | number }>(
    conn.main,
    `SELECT count() AS n FROM ${conn.settings.database}.services WHERE name = ${sqlString(name)}`,
  );
  return Number(r?.n ?? 0) > 0;
}
