import "server-only";
import type { ServiceSummary } from "../../lib/contract";
import type { TimeWindow } from "../platform/time-window";
import type { TelemetryReader } from "../store";
import { matchesEnvironment, NO_ENVIRONMENT, type MapScope } from "../aggregate/servicegraph";
import { rateHealth, type Health } from "./health";
import {
  addRow,
  createAccumulator,
  minuteRange,
  toRedStats,
  windowSeconds,
  type RedAccumulator,
  type RedStats,
} from "./red-stats";

export type { ServiceSummary };

/** SERVER and CONSUMER spans are the requests a service served. */
export const SERVED_KINDS: readonly number[] = [2, 5];

/**
 * Every service seen in the window (also those with only CLIENT/INTERNAL spans), with the
 * RED of the requests it served, merged from minute rollups. One row per service and
 * environment: the same name in production and staging is two rows, never one mixed one.
 */
export async function getServices(t: TelemetryReader, w: TimeWindow, scope: MapScope = {}): Promise<ServiceSummary[]> {
  const { fromMinute, toMinute } = minuteRange(w);
  const [rows, catalog] = await Promise.all([
    t.rollups.readRed({ fromMinute, toMinute }),
    t.rollups.listServices({ fromMs: w.fromMs - 60_000, toMs: w.toMs + 60_000 }),
  ]);
  const served = new Map<string, RedAccumulator>();
  const active = new Set<string>();
  for (const r of rows) {
    const key = `${r.service}\u0000${r.environment}`;
    active.add(key);
    if (!SERVED_KINDS.includes(r.kind)) continue;
    let acc = served.get(key);
    if (!acc) served.set(key, (acc = createAccumulator()));
    addRow(acc, r);
  }
  const seconds = windowSeconds(w);
  return catalog
    .filter(
      (s) =>
        matchesEnvironment(s.environment, scope.environment) &&
        (scope.namespace === undefined || s.namespace === scope.namespace),
    )
    .map((s) => ({ ...s, key: `${s.name}\u0000${s.environment ?? ""}` }))
    .filter((s) => active.has(s.key) || served.has(s.key))
    .map((s) => {
      const stats = toRedStats(served.get(s.key) ?? createAccumulator(), seconds);
      return {
        name: s.name,
        namespace: s.namespace,
        environment: s.environment,
        ...stats,
        health: healthOf(stats, active.has(s.key)),
      };
    });
}

/** The rollups' environment key for an API environment filter ('' = none; undefined: all). */
export function environmentKey(environment: string | undefined): string | undefined {
  if (environment === undefined) return undefined;
  return environment === NO_ENVIRONMENT ? "" : environment;
}

function healthOf(stats: RedStats, active: boolean): Health {
  if (stats.requests === 0) return active ? "ok" : "unknown";
  return rateHealth(stats.requests, stats.errors);
}

export async function serviceExists(t: TelemetryReader, name: string): Promise<boolean> {
  return t.rollups.hasService(name);
}
