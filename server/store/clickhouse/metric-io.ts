import "server-only";
import { createHash } from "node:crypto";
import type { MetricPoint } from "../../normalize";
import type { MetricPointRow, MetricSeriesRow, MetricSummaryRow } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { dayOf, dayRangeSql, sqlInt, sqlString, sqlStringList } from "./sql";

/**
 * Metric series and points. A series is (service, name, type, attributes as JSON), as in the
 * embedded store; its key is a hash of those, the same on every instance, so two instances
 * writing one series write one series. Points are unique by (series, time): an exporter's
 * retry of an acknowledged batch stores nothing twice (reads also drop the duplicates two
 * instances could store when they receive one replay at the same instant). `metric_series`
 * gets one row per series per batch; reads merge them (latest unit and description, widest
 * last seen), so nothing is ever updated in place.
 */
export function seriesKeyOf(p: Pick<MetricPoint, "service" | "name" | "type">, attributesJson: string): string {
  return createHash("sha1")
    .update(`${p.service}\u0000${p.name}\u0000${p.type}\u0000${attributesJson}`)
    .digest("hex")
    .slice(0, 32);
}

interface PointRow {
  day: string;
  series: string;
  start_ns: string;
  time_ns: string;
  value: number | null;
  count: number | null;
  sum: number | null;
  detail: string;
}

/** Appends the points not yet stored; resolves to how many were stored, once ClickHouse accepted them. */
export async function appendMetricPoints(
  conn: Connection,
  points: readonly MetricPoint[],
  nowMs: number,
): Promise<number> {
  if (points.length === 0) return 0;
  const db = conn.settings.database;
  const series = new Map<string, Record<string, unknown>>();
  const rows = new Map<string, PointRow>();
  let lo = points[0]!.timeNs;
  let hi = lo;
  for (const p of points) {
    const attributes = JSON.stringify(p.attributes);
    const key = seriesKeyOf(p, attributes);
    series.set(key, {
      day: dayOf(nowMs),
      series: key,
      service: p.service,
      name: p.name,
      type: p.type,
      unit: p.unit,
      description: p.description,
      temporality: p.temporality,
      monotonic: p.monotonic ? 1 : 0,
      attributes,
      last_seen_ms: nowMs,
    });
    const timeNs = p.timeNs.toString();
    rows.set(`${key}:${timeNs}`, {
      day: dayOf(Number(p.timeNs / 1_000_000n)),
      series: key,
      start_ns: p.startNs.toString(),
      time_ns: timeNs,
      value: p.value,
      count: p.count,
      sum: p.sum,
      detail: p.detail ? JSON.stringify(p.detail) : "",
    });
    if (p.timeNs < lo) lo = p.timeNs;
    if (p.timeNs > hi) hi = p.timeNs;
  }
  const known = await queryRows<{ series: string; t: string }>(
    conn.main,
    `SELECT series, toString(time_ns) AS t FROM ${db}.metric_points WHERE ${dayRangeSql(lo, hi + 1n)}
      AND time_ns >= ${sqlInt(lo)} AND time_ns <= ${sqlInt(hi)} AND series IN ${sqlStringList([...series.keys()])}`,
  );
  for (const k of known) rows.delete(`${k.series}:${k.t}`);
  // The series rows go first: a stored point always has its series.
  await conn.main.insert({ table: `${db}.metric_series`, values: [...series.values()], format: "JSONEachRow" });
  if (rows.size > 0)
    await conn.main.insert({ table: `${db}.metric_points`, values: [...rows.values()], format: "JSONEachRow" });
  return rows.size;
}

/** Per series first (its latest unit/description), then per metric, like the embedded store's listing. */
export async function listMetrics(
  conn: Connection,
  sinceMs: number,
  service?: string,
  limit?: number,
): Promise<MetricSummaryRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    conn.main,
    `SELECT s AS service, nm AS name, tp AS type, max(u) AS unit, max(d) AS description, max(mono) AS monotonic,
        max(temp) AS temporality, count() AS n
      FROM (SELECT series, any(service) AS s, any(name) AS nm, any(type) AS tp, argMax(unit, last_seen_ms) AS u,
          argMax(description, last_seen_ms) AS d, max(monotonic) AS mono, max(temporality) AS temp
        FROM ${conn.settings.database}.metric_series WHERE last_seen_ms >= ${sqlInt(sinceMs)} ${service === undefined ? "" : `AND service = ${sqlString(service)}`}
        GROUP BY series)
      GROUP BY s, nm, tp ORDER BY s, nm, tp ${limit === undefined ? "" : `LIMIT ${sqlInt(limit)}`}`,
  );
  return rows.map((r) => ({
    service: String(r.service),
    name: String(r.name),
    type: String(r.type),
    unit: String(r.unit),
    description: String(r.description),
    monotonic: Number(r.monotonic) === 1,
    temporality: Number(r.temporality),
    series: Number(r.n),
  }));
}

/** Series of one metric in the order they were first seen (then by key), at most `limit`. */
export async function readMetricSeries(
  conn: Connection,
  service: string,
  name: string,
  limit: number,
): Promise<MetricSeriesRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    conn.main,
    `SELECT series, any(type) AS type, argMax(unit, last_seen_ms) AS unit, max(temporality) AS temporality, max(monotonic) AS monotonic,
        any(attributes) AS attributes, min(last_seen_ms) AS first_ms
      FROM ${conn.settings.database}.metric_series WHERE service = ${sqlString(service)} AND name = ${sqlString(name)}
      GROUP BY series ORDER BY first_ms, series LIMIT ${sqlInt(limit)}`,
  );
  return rows.map((r) => ({
    key: String(r.series),
    type: String(r.type),
    unit: String(r.unit),
    temporality: Number(r.temporality),
    monotonic: Number(r.monotonic) === 1,
    attributes: JSON.parse(String(r.attributes)) as Record<string, unknown>,
  }));
}

/** Points of one series in [fromNs, toNs), oldest first, one per time. */
export async function readMetricPoints(
  conn: Connection,
  seriesKey: string,
  fromNs: bigint,
  toNs: bigint,
): Promise<MetricPointRow[]> {
  const rows = await queryRows<{
    t: string;
    value: number | null;
    count: number | null;
    sum: number | null;
    detail: string;
  }>(
    conn.main,
    `SELECT toString(time_ns) AS t, value, count, sum, detail FROM ${conn.settings.database}.metric_points
      WHERE series = ${sqlString(seriesKey)} AND ${dayRangeSql(fromNs, toNs)} AND time_ns >= ${sqlInt(fromNs)} AND time_ns < ${sqlInt(toNs)}
      ORDER BY time_ns`,
  );
  const out: MetricPointRow[] = [];
  let last: string | null = null;
  for (const r of rows) {
    if (r.t === last) continue;
    last = r.t;
    out.push({
      timeMs: Number(BigInt(r.t) / 1_000_000n),
      value: num(r.value),
      count: num(r.count),
      sum: num(r.sum),
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    });
  }
  return out;
}

export async function listMetricServices(conn: Connection, name: string): Promise<string[]> {
  const rows = await queryRows<{ service: string }>(
    conn.main,
    `SELECT DISTINCT service FROM ${conn.settings.database}.metric_series WHERE name = ${sqlString(name)} ORDER BY service`,
  );
  return rows.map((r) => r.service);
}

/** ClickHouse writes nan/inf as strings in JSON; they read back as numbers. */
function num(v: number | string | null): number | null {
  if (v === null) return null;
  return typeof v === "number" ? v : Number(v.replace(/^([+-]?)inf$/, "$1Infinity"));
}
