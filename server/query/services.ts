import "server-only";
import type { TimeWindow } from "../platform/time-window";
import type { TelemetryReader } from "../store";
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
 * RED of the requests it served, merged from minute rollups.
 */
export function getServices(t: TelemetryReader, w: TimeWindow): ServiceSummary[] {
  const { fromMinute, toMinute } = minuteRange(w);
  const rows = t.db
    .prepare(
      `SELECT service, kind IN ${SERVED_KINDS} AS served, count, errors, sketch FROM red_minute
       WHERE minute >= ? AND minute < ?`,
    )
    .all(fromMinute, toMinute) as { service: string; served: number; count: number; errors: number; sketch: Buffer }[];
  const served = new Map<string, RedAccumulator>();
  const active = new Set<string>();
  for (const r of rows) {
    active.add(r.service);
    if (!r.served) continue;
    let acc = served.get(r.service);
    if (!acc) served.set(r.service, (acc = createAccumulator()));
    addRow(acc, r);
  }
  const catalog = t.db
    .prepare(`SELECT name, namespace, environment FROM services WHERE last_seen_ms >= ? AND first_seen_ms < ? ORDER BY name`)
    .all(w.fromMs - 60_000, w.toMs + 60_000) as { name: string; namespace: string | null; environment: string | null }[];
  const seconds = windowSeconds(w);
  return catalog
    .filter((s) => active.has(s.name) || served.has(s.name))
    .map((s) => {
      const stats = toRedStats(served.get(s.name) ?? createAccumulator(), seconds);
      return { name: s.name, namespace: s.namespace, environment: s.environment, ...stats, health: healthOf(stats, active.has(s.name)) };
    });
}

function healthOf(stats: RedStats, active: boolean): Health {
  if (stats.requests === 0) return active ? "ok" : "unknown";
  return rateHealth(stats.requests, stats.errors);
}

export function serviceExists(t: TelemetryReader, name: string): boolean {
  return t.db.prepare(`SELECT 1 FROM services WHERE name = ?`).get(name) !== undefined;
}
