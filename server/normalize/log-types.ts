import "server-only";
import { LOG_SEVERITY_NAMES as SEVERITY_NAMES, type LogSeverityName as SeverityName } from "../../lib/contract";
import type { Attributes, AttrValue, ResourceInfo } from "./types";

/**
 * One OTLP log record in the domain shape (see types.ts for ids and attribute contracts).
 * - timeNs is the event time; when the sender left it 0 it is the observed time, and when
 *   both are 0 the time the record was received.
 * - body keeps its AnyValue type: a string stays a string, a map or list stays structured.
 * - traceId / spanId are null when absent or malformed (a log line never fails for them).
 */
export interface LogRecord {
  timeNs: bigint;
  observedNs: bigint;
  severityNumber: number;
  severityText: string;
  body: AttrValue;
  attributes: Attributes;
  traceId: string | null;
  spanId: string | null;
  flags: number;
  scope: { name: string; version: string };
  resource: ResourceInfo;
}

/** OTLP SeverityNumber ranges (logs data model): each name covers four numbers (the API contract's list). */
export { LOG_SEVERITY_NAMES as SEVERITY_NAMES, type LogSeverityName as SeverityName } from "../../lib/contract";

/** The lowest SeverityNumber of a named range: trace 1, debug 5, info 9, warn 13, error 17, fatal 21. */
export function severityFloor(name: SeverityName): number {
  return SEVERITY_NAMES.indexOf(name) * 4 + 1;
}

/** The range name of a SeverityNumber; "unspecified" for 0. */
export function severityName(n: number): SeverityName | "unspecified" {
  if (n <= 0) return "unspecified";
  return SEVERITY_NAMES[Math.min(5, Math.floor((n - 1) / 4))]!;
}
