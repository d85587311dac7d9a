/**
 * The logs API's answers as the UI reads them, inferred from the contract (lib/contract/logs.ts),
 * plus the display helpers. Client-safe.
 */
import type { contract, ResponseOf } from "./contract";
import { LOG_HISTOGRAM_RANGES, type LogHistogramRange } from "./enums";

export type { LogLine } from "./contract";
export type LogsResponse = ResponseOf<typeof contract.searchLogs>;
export type LogHistogramResponse = ResponseOf<typeof contract.getLogHistogram>;
export type TraceLogsResponse = ResponseOf<typeof contract.getTraceLogs>;

/** The histogram's ranges: "unspecified" (SeverityNumber 0) then the severity names. */
export const SEVERITY_RANGES = LOG_HISTOGRAM_RANGES;
export type SeverityRange = LogHistogramRange;

/** The range name of a SeverityNumber (OTel logs data model: four numbers per range). */
export function severityRangeOf(n: number): SeverityRange {
  if (n <= 0) return "unspecified";
  return SEVERITY_RANGES[Math.min(6, Math.floor((n - 1) / 4) + 1)]!;
}

/** A body as display text: strings as they are, structured bodies as indented JSON. */
export function formatLogBody(body: unknown): string {
  if (typeof body === "string") return body;
  return JSON.stringify(body, null, 2) ?? "";
}

/** Epoch ms of a nanosecond string (display precision). */
export function nanosToMs(ns: string): number {
  return Number(BigInt(ns) / 1_000_000n);
}
