/** Client-safe shapes of the logs API (see the OpenAPI document for the contract). */
export interface LogLine {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  service: string;
  traceId: string | null;
  spanId: string | null;
  scope?: { name: string; version: string } | null;
}

export interface LogsResponse {
  logs: LogLine[];
  nextCursor: string | null;
}

export const SEVERITY_RANGES = ["unspecified", "trace", "debug", "info", "warn", "error", "fatal"] as const;
export type SeverityRange = (typeof SEVERITY_RANGES)[number];

export interface LogHistogramResponse {
  stepSeconds: number;
  buckets: { t: number; total: number; counts: Record<SeverityRange, number> }[];
}

export interface TraceLogsResponse {
  traceId: string;
  logs: LogLine[];
}

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
