import "server-only";
import { createSketch, mergeEncodedInto, quantile, type Sketch } from "../aggregate/red";
import type { TimeWindow } from "../platform/time-window";
import type { MapStats } from "../aggregate/servicegraph";

/** RED numbers as the API reports them (the map's MapStats: one shape for lists and map). */
export type RedStats = MapStats;

export interface RedAccumulator {
  count: number;
  errors: number;
  sketch: Sketch;
}

export function createAccumulator(): RedAccumulator {
  return { count: 0, errors: 0, sketch: createSketch() };
}

export function addRow(acc: RedAccumulator, row: { count: number; errors: number; sketch: Buffer }): void {
  acc.count += row.count;
  acc.errors += row.errors;
  mergeEncodedInto(acc.sketch, row.sketch);
}

const round = (v: number | null, digits = 3) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

export function toRedStats(acc: RedAccumulator, seconds: number): RedStats {
  return {
    requests: acc.count,
    errors: acc.errors,
    errorRate: acc.count ? round(acc.errors / acc.count, 6)! : 0,
    rps: seconds > 0 ? round(acc.count / seconds, 4)! : 0,
    p50Ms: round(quantile(acc.sketch, 0.5)),
    p95Ms: round(quantile(acc.sketch, 0.95)),
    p99Ms: round(quantile(acc.sketch, 0.99)),
  };
}

/**
 * Rollups are per minute: a window covers every minute it touches
 * [floor(from), ceil(to)), so a window's counts are those of whole minutes.
 */
export function minuteRange(w: TimeWindow): { fromMinute: number; toMinute: number } {
  return { fromMinute: Math.floor(w.fromMs / 60_000), toMinute: Math.ceil(w.toMs / 60_000) };
}

export function windowSeconds(w: TimeWindow): number {
  return (w.toMs - w.fromMs) / 1000;
}
