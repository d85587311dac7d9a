import "server-only";
import type { TimeWindow } from "../platform/time-window";
import type { TelemetryReader } from "../store";
import { matchesEnvironment, NO_ENVIRONMENT, type MapScope } from "../aggregate/servicegraph";
import { rateHealth, type Health } from "./health";
import { addRow, createAccumulator, minuteRange, toRedStats, windowSeconds, type RedAccumulator, type RedStats } from "./red-stats";

export interface ServiceSummary extends RedStats {
  name: string;
  namespace: string | null;
  environment: string | null;
  health: Health;
}

/** SERVER and CONSUMER spans are the requests a service served. */
export const SERVED_KINDS = "(2, 5)";

/**
 * Every service seen in the window (also those with only CLIENT/INTERNAL spans), with the
 * RED of the requests it served, merged from minute rollups. One row per service and
 * environment: the same name in production and staging is two rows, never one mixed one.
 */
export function getServices(t: TelemetryReader, w: TimeWindow, scope: MapScope = {}): ServiceSummary[] {
  const { fromMinute, toMinute } = minuteRange(w);
  const rows = t.db
    .prepare(
      `SELECT service, environment, kind IN ${SERVED_KINDS} AS served, count, errors, sketch FROM red_minute
       WHERE minute >= ? AND minute < ?`,
    )
    .all(fromMinute, toMinute) as { service: string; environment: string; served: number; count: number; errors: number; sketch: Buffer }[];
  const served = new Map<string, RedAccumulator>();
  const active = new Set<string>();
  for (const r of rows) {
    const key = `${r.service}\u0000${r.environment}`;
    active.add(key);
    if (!r.served) continue;
    let acc = served.get(key);
    if (!acc) served.set(key, (acc = createAccumulator()));
    addRow(acc, r);
  }
  const catalog = t.db
    .prepare(`SELECT name, namespace, environment FROM services WHERE last_seen_ms >= ? AND first_seen_ms < ? ORDER BY name, environment`)
    .all(w.fromMs - 60_000, w.toMs + 60_000) as { name: string; namespace: string | null; environment: string }[];
  const seconds = windowSeconds(w);
  return catalog
    .filter((s) => matchesEnvironment(s.environment || null, scope.environment) && (scope.namespace === undefined || s.namespace === scope.namespace))
    .map((s) => ({ ...s, key: `${s.name}\u0000${s.environment}` }))
    .filter((s) => active.has(s.key) || served.has(s.key))
    .map((s) => {
      const stats = toRedStats(served.get(s.key) ?? createAccumulator(), seconds);
      return { name: s.name, namespace: s.namespace, environment: s.environment || null, ...stats, health: healthOf(stats, active.has(s.key)) };
    });
}

/** SQL condition and argument selecting one environment of red_minute (nothing: all). */
export function environmentCondition(environment: string | undefined): { sql: string; args: string[] } {
  if (environment === undefined) return { sql: "", args: [] };
  return { sql: "AND environment = ?", args: [environment === NO_ENVIRONMENT ? "" : environment] };
}

function healthOf(stats: RedStats, active: boolean): Health {
  if (stats.requests === 0) return active ? "ok" : "unknown";
  return rateHealth(stats.requests, stats.errors);
}

export function serviceExists(t: TelemetryReader, name: string): boolean {
  return t.db.prepare(`SELECT 1 FROM services WHERE name = ?`).get(name) !== undefined;
}
