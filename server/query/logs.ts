import "server-only";
import { LOG_HISTOGRAM_ROW_BUDGET, type LogFilter, type StoredLog, type TelemetryReader } from "../store";
import type { TimeWindow } from "../platform/time-window";
import { LOG_HISTOGRAM_RANGES, type LogHistogramRange, type LogLine } from "../../lib/contract";

export type LogQuery = Omit<LogFilter, "fromNs" | "toNs">;

/** A stored line in the API shape (lib/contract LogLine: nanosecond times as exact strings). */
function toLogLine(l: StoredLog): LogLine {
  return {
    timeUnixNano: l.timeNs.toString(),
    observedTimeUnixNano: l.observedNs.toString(),
    severityNumber: l.severityNumber,
    severityText: l.severityText,
    body: l.body,
    attributes: l.attributes,
    resource: l.resource,
    service: l.service,
    traceId: l.traceId,
    spanId: l.spanId,
    scope: l.scope,
  };
}

const toNs = (ms: number) => BigInt(ms) * 1_000_000n;

/** Whether a cursor text is one this server's store could have returned as nextCursor. */
export function isLogCursor(t: TelemetryReader, cursor: string): boolean {
  return t.logs.isLogCursor(cursor);
}

/** A page of matching lines, newest first, and the cursor of the next page (null at the end). */
export async function getLogs(
  t: TelemetryReader,
  w: TimeWindow,
  q: LogQuery,
  limit: number,
  cursor?: string,
): Promise<{ logs: LogLine[]; nextCursor: string | null }> {
  const page = await t.logs.searchLogs({ ...q, fromNs: toNs(w.fromMs), toNs: toNs(w.toMs) }, limit, cursor);
  return { logs: page.logs.map(toLogLine), nextCursor: page.nextCursor };
}

/** Every line of one trace, oldest first, whatever its age (as long as retention kept it). */
export async function getTraceLogs(t: TelemetryReader, traceId: string): Promise<LogLine[]> {
  return (await t.logs.readTraceLogs(traceId)).map(toLogLine);
}

export type SeverityCounts = Record<LogHistogramRange, number>;
const NICE_STEPS_S = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** A step giving about `target` bars over the window, from a list of round values. */
export function chooseLogStepSeconds(w: TimeWindow, target = 60): number {
  const raw = (w.toMs - w.fromMs) / 1000 / target;
  return NICE_STEPS_S.find((s) => s >= raw) ?? 86400;
}

/**
 * Counts per step and severity range over the window, every step present (zeros included)
 * so a chart shows gaps as gaps. Steps start at multiples of the step since the epoch: the
 * first one may begin before `from`, and counts the whole step.
 */
export async function getLogHistogram(t: TelemetryReader, w: TimeWindow, q: LogQuery, stepSeconds: number) {
  const stepMs = stepSeconds * 1000;
  const startMs = Math.floor(w.fromMs / stepMs) * stepMs;
  const { rows, approximate } = await t.logs.countLogsWithin(
    { ...q, fromNs: toNs(startMs), toNs: toNs(w.toMs) },
    stepMs,
    LOG_HISTOGRAM_ROW_BUDGET,
  );
  const buckets = new Map<number, { t: number; total: number; counts: SeverityCounts }>();
  for (let ts = startMs; ts < w.toMs; ts += stepMs) {
    buckets.set(ts, {
      t: ts,
      total: 0,
      counts: Object.fromEntries(LOG_HISTOGRAM_RANGES.map((r) => [r, 0])) as SeverityCounts,
    });
  }
  for (const r of rows) {
    const b = buckets.get(r.t);
    if (!b) continue;
    b.counts[LOG_HISTOGRAM_RANGES[r.severityRange] ?? "unspecified"] += r.count;
    b.total += r.count;
  }
  return { stepSeconds, approximate, buckets: [...buckets.values()] };
}
