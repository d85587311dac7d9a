import "server-only";
import type { Span, SpanKindValue, StatusCodeValue } from "../../normalize";
import { dayOf } from "./sql";

/** One row of `spans` as JSONEachRow carries it (UInt64 columns as decimal strings, exact). */
export interface SpanRow {
  day: string;
  minute: number;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  kind: number;
  start_ns: string;
  end_ns: string;
  status_code: number;
  status_message: string;
  service: string;
  namespace: string;
  environment: string;
  attributes: string;
  resource: string;
  events: string;
  links: string;
  scope_name: string;
  scope_version: string;
  /** The writer's flush epoch (rollup-epochs.ts); absent on rows read back. */
  writer?: string;
  writer_epoch?: number;
}

export function toSpanRow(s: Span): SpanRow {
  const startMs = Number(s.startNs / 1_000_000n);
  return {
    day: dayOf(startMs),
    minute: Math.floor(startMs / 60_000),
    trace_id: s.traceId,
    span_id: s.spanId,
    parent_span_id: s.parentSpanId ?? "",
    name: s.name,
    kind: s.kind,
    start_ns: s.startNs.toString(),
    end_ns: s.endNs.toString(),
    status_code: s.statusCode,
    status_message: s.statusMessage,
    service: s.resource.service,
    namespace: s.resource.namespace ?? "",
    environment: s.resource.environment ?? "",
    attributes: JSON.stringify(s.attributes),
    resource: JSON.stringify(s.resource.attributes),
    events: JSON.stringify(s.events.map((e) => ({ ...e, timeUnixNano: e.timeUnixNano.toString() }))),
    links: JSON.stringify(s.links),
    scope_name: s.scope.name,
    scope_version: s.scope.version,
  };
}

export function fromSpanRow(r: SpanRow): Span {
  const events = JSON.parse(r.events) as { timeUnixNano: string; name: string; attributes: Span["attributes"] }[];
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id === "" ? null : r.parent_span_id,
    name: r.name,
    kind: Number(r.kind) as SpanKindValue,
    startNs: BigInt(r.start_ns),
    endNs: BigInt(r.end_ns),
    statusCode: Number(r.status_code) as StatusCodeValue,
    statusMessage: r.status_message,
    attributes: JSON.parse(r.attributes) as Span["attributes"],
    events: events.map((e) => ({ ...e, timeUnixNano: BigInt(e.timeUnixNano) })),
    links: JSON.parse(r.links) as Span["links"],
    scope: { name: r.scope_name, version: r.scope_version },
    resource: {
      service: r.service,
      namespace: r.namespace === "" ? null : r.namespace,
      environment: r.environment === "" ? null : r.environment,
      attributes: JSON.parse(r.resource) as Span["attributes"],
    },
  };
}

/** One trace-index row per (trace, day) of a batch: the minutes a trace spans, for lookups by id. */
export function traceIndexRows(
  rows: readonly SpanRow[],
): { day: string; trace_id: string; min_minute: number; max_minute: number }[] {
  const byKey = new Map<string, { day: string; trace_id: string; min_minute: number; max_minute: number }>();
  for (const r of rows) {
    const key = `${r.trace_id}\u0000${r.day}`;
    const cur = byKey.get(key);
    if (!cur) byKey.set(key, { day: r.day, trace_id: r.trace_id, min_minute: r.minute, max_minute: r.minute });
    else {
      if (r.minute < cur.min_minute) cur.min_minute = r.minute;
      if (r.minute > cur.max_minute) cur.max_minute = r.minute;
    }
  }
  return [...byKey.values()];
}
