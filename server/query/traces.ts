import "server-only";
import type { TimeWindow } from "../platform/time-window";
import { readTraceSpans, type TelemetryReader } from "../store";
import { withSpan } from "../platform/self-tracing";

export interface TraceSearch {
  service?: string;
  operation?: string;
  status?: "error" | "ok";
  minDurationMs?: number;
  maxDurationMs?: number;
  attr?: { key: string; value: string };
  /** Every pair must match an attribute of one span or of its resource (Jaeger's `tags`). */
  attrs?: { key: string; value: string }[];
  /** OTLP span kind number of the matching span. */
  kind?: number;
  limit: number;
}

export interface TraceSummary {
  traceId: string;
  rootService: string | null;
  rootOperation: string | null;
  startTime: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

/**
 * Trace search over raw spans. Filters apply to spans (as Jaeger does): a trace matches when
 * one of its spans in the window matches all filters; duration filters use that span's
 * duration. Newest traces first.
 */
export function searchTraces(t: TelemetryReader, w: TimeWindow, q: TraceSearch): TraceSummary[] {
  return withSpan("query.read", { "cartograph.limit": q.limit }, (span) => {
    const found = readTraceSummaries(t, w, q);
    span.setAttributes({ "cartograph.traces": found.length, "cartograph.spans": found.reduce((n, s) => n + s.spanCount, 0) });
    return found;
  });
}

function readTraceSummaries(t: TelemetryReader, w: TimeWindow, q: TraceSearch): TraceSummary[] {
  const where = ["start_ns >= ?", "start_ns < ?"];
  const args: unknown[] = [BigInt(w.fromMs) * 1_000_000n, BigInt(w.toMs) * 1_000_000n];
  if (q.service) { where.push("service = ?"); args.push(q.service); }
  if (q.operation) { where.push("name = ?"); args.push(q.operation); }
  if (q.status === "error") where.push("status_code = 2");
  if (q.status === "ok") where.push("status_code != 2");
  if (q.minDurationMs !== undefined) { where.push("duration_ns >= ?"); args.push(BigInt(Math.round(q.minDurationMs * 1e6))); }
  if (q.maxDurationMs !== undefined) { where.push("duration_ns <= ?"); args.push(BigInt(Math.round(q.maxDurationMs * 1e6))); }
  if (q.kind !== undefined) { where.push("kind = ?"); args.push(q.kind); }
  const isBool = (col: string) => `(json_type(${col}, ?) IN ('true', 'false') AND json_type(${col}, ?) = ?)`;
  const pathOf = (key: string) => `$."${key.replace(/"/g, '\\"')}"`;
  if (q.attr) {
    where.push(`(CAST(json_extract(attributes, ?) AS TEXT) = ? OR ${isBool("attributes")})`);
    const path = pathOf(q.attr.key);
    args.push(path, q.attr.value, path, path, q.attr.value.toLowerCase());
  }
  // Jaeger's tags match a span attribute or, as Jaeger's process tags, a resource attribute.
  // Booleans are stored as JSON true/false; json_extract answers 1/0 for them.
  for (const a of q.attrs ?? []) {
    const path = pathOf(a.key);
    where.push(
      `(CAST(json_extract(attributes, ?) AS TEXT) = ? OR ${isBool("attributes")}` +
        ` OR resource_id IN (SELECT id FROM resources WHERE CAST(json_extract(resources.attributes, ?) AS TEXT) = ?))`,
    );
    args.push(path, a.value, path, path, a.value.toLowerCase(), path, a.value);
  }
  const ids = t.db
    .prepare(`SELECT trace_id, max(start_ns) AS last FROM spans WHERE ${where.join(" AND ")} GROUP BY trace_id ORDER BY last DESC LIMIT ?`)
    .safeIntegers(true)
    .all(...args, q.limit) as { trace_id: string }[];
  if (ids.length === 0) return [];
  const summarize = t.db.prepare(
    `SELECT min(start_ns) AS start, max(end_ns) AS end, count(*) AS n, sum(status_code = 2) AS errors,
            group_concat(DISTINCT service) AS services FROM spans WHERE trace_id = ?`,
  ).safeIntegers(true);
  const root = t.db.prepare(
    `SELECT service, name FROM spans WHERE trace_id = ? ORDER BY parent_span_id IS NOT NULL, start_ns LIMIT 1`,
  );
  return ids.map(({ trace_id }) => {
    const s = summarize.get(trace_id) as { start: bigint; end: bigint; n: bigint; errors: bigint; services: string };
    const r = root.get(trace_id) as { service: string; name: string } | undefined;
    return {
      traceId: trace_id,
      rootService: r?.service ?? null,
      rootOperation: r?.name ?? null,
      startTime: Number(s.start / 1_000_000n),
      durationMs: Number(s.end - s.start) / 1e6,
      spanCount: Number(s.n),
      errorCount: Number(s.errors),
      services: s.services.split(",").sort(),
    };
  });
}

const STATUS = ["unset", "ok", "error"] as const;
const KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;

/** One trace in the API shape (nanosecond times as strings, exact); null when unknown. */
export function getTrace(t: TelemetryReader, traceId: string) {
  const spans = withSpan("query.read", {}, (span) => {
    const found = readTraceSpans(t.db, traceId.toLowerCase());
    span.setAttributes({ "cartograph.rows_read": found.length });
    return found;
  });
  if (spans.length === 0) return null;
  return withSpan("query.assemble", { "cartograph.spans": spans.length }, () => ({
    traceId: traceId.toLowerCase(),
    spans: spans.map((s) => ({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      service: s.resource.service,
      name: s.name,
      kind: KINDS[s.kind] ?? "unspecified",
      startTimeUnixNano: s.startNs.toString(),
      endTimeUnixNano: s.endNs.toString(),
      durationMs: Number(s.endNs - s.startNs) / 1e6,
      status: { code: STATUS[s.statusCode] ?? "unset", message: s.statusMessage },
      attributes: s.attributes,
      resource: s.resource.attributes,
      scope: s.scope,
      events: s.events.map((e) => ({ name: e.name, timeUnixNano: e.timeUnixNano.toString(), attributes: e.attributes })),
      links: s.links,
    })),
  }));
}
