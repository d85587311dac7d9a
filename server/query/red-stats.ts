import "server-only";
import { buildRedStats, createSketch, mergeEncodedInto, type RedStats, type Sketch } from "../aggregate/red";
import type { TimeWindow } from "../platform/time-window";

/** RED numbers as the API reports them (one builder, server/aggregate/red buildRedStats, for lists and map). */
export type { RedStats };

export interface RedAccumulator {
  count: number;
  errors: number;
  sketch: Sketch;
}

export function createAccumulator(): RedAccumulator {
  return { count: 0, errors: 0, sketch: createSketch() };
}

export function addRow(acc: RedAccumulator, row: { count: number; errors: number; sketch: Uint8Array }): void {
  acc.count += row.count;
  acc.errors += row.errors;
  mergeEncodedInto(acc.sketch, row.sketch);
}

export function toRedStats(acc: RedAccumulator, seconds: number): RedStats {
  return buildRedStats(acc.count, acc.errors, acc.sketch, seconds);
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
