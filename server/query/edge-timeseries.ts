import "server-only";
import type { EdgePoint } from "../../lib/contract";
import type { TimeWindow } from "../platform/time-window";
import type { TelemetryReader } from "../store";
import { createSketch, errorRateOf, latencyQuantiles, mergeEncodedInto, rateOf, type Sketch } from "../aggregate/red";
import { minuteRange } from "./red-stats";
import { chooseStepSeconds } from "./timeseries";

export type { EdgePoint };

interface Bucket {
  calls: number;
  errors: number;
  client: Sketch;
  server: Sketch;
}

/** Whether the graph has ever recorded a call from `source` to `target` (any protocol). */
export async function edgeExists(t: TelemetryReader, source: string, target: string): Promise<boolean> {
  return (await t.graph.readEdgeFacts()).some((e) => e.source === source && e.target === target);
}

/**
 * One edge over time, all its protocols together (as the map draws one line per pair): calls,
 * errors and both sides' latency percentiles per step from the minute rollups' sketches (merged,
 * never averaged). Every step is present; a step without calls has zero requests and null
 * latencies (a gap, never 0 ms).
 */
export async function getEdgeTimeseries(
  t: TelemetryReader,
  source: string,
  target: string,
  w: TimeWindow,
  stepSeconds?: number,
): Promise<{ stepSeconds: number; points: EdgePoint[] }> {
  const step = Math.max(60, Math.round((stepSeconds ?? chooseStepSeconds(w)) / 60) * 60);
  const stepMinutes = step / 60;
  const { fromMinute, toMinute } = minuteRange(w);
  const rows = await t.graph.readEdgeMinutes({ fromMinute, toMinute, source, target });
  const buckets = new Map<number, Bucket>();
  for (const r of rows) {
    const b = Math.floor(r.minute / stepMinutes) * stepMinutes;
    let acc = buckets.get(b);
    if (!acc) buckets.set(b, (acc = { calls: 0, errors: 0, client: createSketch(), server: createSketch() }));
    acc.calls += r.calls;
    acc.errors += r.errors;
    mergeEncodedInto(acc.client, r.clientSketch);
    mergeEncodedInto(acc.server, r.serverSketch);
  }
  const points: EdgePoint[] = [];
  const empty: Bucket = { calls: 0, errors: 0, client: createSketch(), server: createSketch() };
  for (let b = Math.floor(fromMinute / stepMinutes) * stepMinutes; b < toMinute; b += stepMinutes) {
    const acc = buckets.get(b) ?? empty;
    points.push({
      t: b * 60_000,
      requests: acc.calls,
      errors: acc.errors,
      errorRate: errorRateOf(acc.calls, acc.errors),
      rps: rateOf(acc.calls, step),
      client: latencyQuantiles(acc.client),
      server: latencyQuantiles(acc.server),
    });
  }
  return { stepSeconds: step, points };
}
