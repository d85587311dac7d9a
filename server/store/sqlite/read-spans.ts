import "server-only";
import type { Attributes, Span, SpanEvent, SpanKindValue, SpanLink, StatusCodeValue } from "../../normalize";
import type { Db } from "./open";

/**
 * Reads stored spans back into the domain Span type (tier-2 rebuild and late-half lookup).
 * Statements run with safeIntegers so nanosecond timestamps stay exact.
 */
export const SPAN_COLUMNS = `s.trace_id, s.span_id, s.parent_span_id, s.service, s.name, s.kind, s.start_ns, s.end_ns,
  s.status_code, s.status_message, s.scope, s.attributes, s.events, s.links,
  r.namespace AS r_namespace, r.environment AS r_environment, r.attributes AS r_attributes`;
export const SPAN_FROM = `spans s LEFT JOIN resources r ON r.id = s.resource_id`;

export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  kind: bigint | number;
  start_ns: bigint | number;
  end_ns: bigint | number;
  status_code: bigint | number;
  status_message: string | null;
  scope: string | null;
  attributes: string;
  events: string | null;
  links: string | null;
  r_namespace: string | null;
  r_environment: string | null;
  r_attributes: string | null;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === "") return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

interface StoredEvent { timeUnixNano?: string | number; name?: string; attributes?: Attributes }
interface StoredLink { traceId?: string; spanId?: string; attributes?: Attributes }

export function mapSpanRow(row: SpanRow): Span {
  const events = parseJson<StoredEvent[]>(row.events, []);
  const links = parseJson<StoredLink[]>(row.links, []);
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id && row.parent_span_id !== "" ? row.parent_span_id : null,
    name: row.name,
    kind: Number(row.kind) as SpanKindValue,
    startNs: BigInt(row.start_ns),
    endNs: BigInt(row.end_ns),
    statusCode: Number(row.status_code) as StatusCodeValue,
    statusMessage: row.status_message ?? "",
    attributes: parseJson<Attributes>(row.attributes, {}),
    events: Array.isArray(events)
      ? events.map((e): SpanEvent => ({ timeUnixNano: BigInt(e.timeUnixNano ?? 0), name: e.name ?? "", attributes: e.attributes ?? {} }))
      : [],
    links: Array.isArray(links)
      ? links.map((l): SpanLink => ({ traceId: l.traceId ?? "", spanId: l.spanId ?? "", attributes: l.attributes ?? {} }))
      : [],
    scope: parseJson(row.scope, { name: "", version: "" }),
    resource: {
      service: row.service,
      namespace: row.r_namespace ?? null,
      environment: row.r_environment ?? null,
      attributes: parseJson<Attributes>(row.r_attributes, {}),
    },
  };
}

/** Stored spans that started in [fromMs, toMs), at most `limit` (newest windows are small; callers sample beyond). */
export function readSpansInWindow(db: Db, fromMs: number, toMs: number, limit: number): Span[] {
  const rows = db
    .prepare(`SELECT ${SPAN_COLUMNS} FROM ${SPAN_FROM} WHERE s.start_ns >= ? AND s.start_ns < ? ORDER BY s.start_ns LIMIT ?`)
    .safeIntegers(true)
    .all(BigInt(fromMs) * 1_000_000n, BigInt(toMs) * 1_000_000n, limit) as SpanRow[];
  return rows.map(mapSpanRow);
}

/** All spans of one trace, in start order. */
export function readTraceSpans(db: Db, traceId: string): Span[] {
  const rows = db.prepare(`SELECT ${SPAN_COLUMNS} FROM ${SPAN_FROM} WHERE s.trace_id = ? ORDER BY s.start_ns`).safeIntegers(true).all(traceId) as SpanRow[];
  return rows.map(mapSpanRow);
}

/** Start and end of one stored span (a shared Zipkin server half borrows its client's times). */
export function createSpanTimesLookup(db: Db): (traceId: string, spanId: string) => { startNs: bigint; endNs: bigint } | null {
  const stmt = db.prepare(`SELECT start_ns, end_ns FROM spans WHERE trace_id = ? AND span_id = ?`).safeIntegers(true);
  return (traceId, spanId) => {
    const row = stmt.get(traceId, spanId) as { start_ns: bigint; end_ns: bigint } | undefined;
    return row ? { startNs: row.start_ns, endNs: row.end_ns } : null;
  };
}
