import "server-only";
import type { StoredLog as StoreLog } from "../telemetry-store";

/** A stored log line with its row id (the store's StoredLog, as this store reads it). */
export interface StoredLog extends StoreLog {
  id: number;
}

/** A `logs l` row as COLUMNS reads it (safe integers). */
export interface LogRow {
  id: bigint;
  time_ns: bigint;
  observed_ns: bigint;
  service: string;
  severity: bigint;
  severity_text: string;
  body: string;
  body_json: bigint;
  trace_id: string | null;
  span_id: string | null;
  scope: string | null;
  attributes: string;
  r_attributes: string | null;
}

export const COLUMNS = `l.id, l.time_ns, l.observed_ns, l.service, l.severity, l.severity_text, l.body, l.body_json, l.trace_id, l.span_id, l.scope, l.attributes,
  (SELECT attributes FROM resources WHERE id = l.resource_id) AS r_attributes`;

function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function toStoredLog(r: LogRow): StoredLog {
  return {
    id: Number(r.id),
    timeNs: r.time_ns,
    observedNs: r.observed_ns,
    severityNumber: Number(r.severity),
    severityText: r.severity_text,
    body: r.body_json ? parse(r.body) : r.body,
    attributes: (parse(r.attributes) ?? {}) as Record<string, unknown>,
    resource: (parse(r.r_attributes) ?? {}) as Record<string, unknown>,
    service: r.service,
    traceId: r.trace_id,
    spanId: r.span_id,
    scope: parse(r.scope) as StoredLog["scope"],
  };
}

/** Newest first: time, then id (the API's order). */
export function compareNewest(a: LogRow, b: LogRow): number {
  if (a.time_ns !== b.time_ns) return a.time_ns > b.time_ns ? -1 : 1;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}
