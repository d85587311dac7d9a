import "server-only";
import type { RedPoint } from "../../lib/contract";
import type { TimeWindow } from "../platform/time-window";
import type { TelemetryReader } from "../store";
import { addRow, createAccumulator, minuteRange, toRedStats, type RedAccumulator } from "./red-stats";
import { environmentKey, SERVED_KINDS } from "./services";

/** One step of a service's RED over time (the contract's RedPoint). */
export type TimeseriesPoint = RedPoint;

/** About 60 points per window, in whole minutes (the rollup resolution). */
export function chooseStepSeconds(w: TimeWindow): number {
  const minutes = Math.max(1, Math.ceil((w.toMs - w.fromMs) / 60_000 / 60));
  return minutes * 60;
}

/**
 * RED over time for the requests a service served (optionally one operation). Every step
 * is present; a step without requests has requests 0 and null latencies (a gap, never 0 ms).
 */
export async function getServiceTimeseries(
  t: TelemetryReader,
  service: string,
  w: TimeWindow,
  stepSeconds: number | undefined,
  operation?: string,
  environment?: string,
): Promise<{ stepSeconds: number; points: TimeseriesPoint[] }> {
  const step = Math.max(60, Math.round((stepSeconds ?? chooseStepSeconds(w)) / 60) * 60);
  const stepMinutes = step / 60;
  const { fromMinute, toMinute } = minuteRange(w);
  const firstBucket = Math.floor(fromMinute / stepMinutes) * stepMinutes;
  const rows = await t.rollups.readRed({
    fromMinute,
    toMinute,
    service,
    operation,
    environment: environmentKey(environment),
    kinds: SERVED_KINDS,
  });
  const buckets = new Map<number, RedAccumulator>();
  for (const r of rows) {
    const b = Math.floor(r.minute / stepMinutes) * stepMinutes;
    let acc = buckets.get(b);
    if (!acc) buckets.set(b, (acc = createAccumulator()));
    addRow(acc, r);
  }
  const points: TimeseriesPoint[] = [];
  for (let b = firstBucket; b < toMinute; b += stepMinutes) {
    const s = toRedStats(buckets.get(b) ?? createAccumulator(), step);
    points.push({ t: b * 60_000, ...s, errorRate: s.requests ? s.errorRate : null });
  }
  return { stepSeconds: step, points };
}
