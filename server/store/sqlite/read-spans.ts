import "server-only";
import type { Span, SpanKindValue, StatusCodeValue } from "../../normalize";
import type { Db } from "./open";

/** Columns to select (joined with resources as r) so that mapSpanRow can rebuild a Span. */
export const SPAN_SELECT = `SELECT s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.start_ns, s.end_ns,
  s.status_code, s.status_message, s.scope, s.attributes, s.events, s.links,
  r.service AS r_service, r.namespace AS r_namespace, r.environment AS r_environment, r.attributes AS r_attributes
  FROM spans s JOIN resources r ON r.id = s.resource_id`;

export interface SpanRow {
  trace_id: string; span_id: string; parent_span_id: string | null; name: string; kind: number;
  start_ns: bigint; end_ns: bigint; status_code: number; status_message: string | null;
  scope: string | null; attributes: string; events: string | null; links: string | null;
  r_service: string; r_namespace: string | null; r_environment: string | null; r_attributes: string;
}

/** Stored row → domain Span (events keep their nanosecond time as bigint). */
export function mapSpanRow(row: SpanRow): Span {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: row.kind as SpanKindValue,
    startNs: BigInt(row.start_ns),
    endNs: BigInt(row.end_ns),
    statusCode: row.status_code as StatusCodeValue,
    statusMessage: row.status_message ?? "",
    attributes: JSON.parse(row.attributes),
    events: row.events ? JSON.parse(row.events).map((e: { timeUnixNano: string }) => ({ ...e, timeUnixNano: BigInt(e.timeUnixNano) })) : [],
    links: row.links ? JSON.parse(row.links) : [],
    scope: row.scope ? JSON.parse(row.scope) : { name: "", version: "" },
    resource: {
      service: row.r_service,
      namespace: row.r_namespace,
      environment: row.r_environment,
      attributes: JSON.parse(row.r_attributes),
    },
  };
}

/** All spans of one trace, in start order. */
export function readTraceSpans(db: Db, traceId: string): Span[] {
  const rows = db.prepare(`${SPAN_SELECT} WHERE s.trace_id = ? ORDER BY s.start_ns`).safeIntegers(true).all(traceId) as SpanRow[];
  return rows.map((r) => mapSpanRow({ ...r, kind: Number(r.kind), status_code: Number(r.status_code) }));
}

/** Spans that started in [fromNs, toNs), oldest first, at most `limit`. */
export function readSpansInWindow(db: Db, fromNs: bigint, toNs: bigint, limit: number): Span[] {
  const rows = db
    .prepare(`${SPAN_SELECT} WHERE s.start_ns >= ? AND s.start_ns < ? ORDER BY s.start_ns LIMIT ?`)
    .safeIntegers(true)
    .all(fromNs, toNs, limit) as SpanRow[];
  return rows.map((r) => mapSpanRow({ ...r, kind: Number(r.kind), status_code: Number(r.status_code) }));
}
