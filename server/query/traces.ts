import "server-only";
import type { TimeWindow } from "../platform/time-window";
import type { StoredTraceSummary, TelemetryReader } from "../store";
import { withSpan } from "../platform/self-tracing";
import { NO_ENVIRONMENT } from "../aggregate/servicegraph";
import { SPAN_KINDS, STATUS_CODES } from "../../lib/enums";

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
  /** deployment.environment(.name) of the matching span's resource; NO_ENVIRONMENT: none. */
  environment?: string;
  limit: number;
}

/** One trace found by a search, as the store answers it (the API's TraceSummary). */
export type TraceSummary = StoredTraceSummary;

/**
 * Trace search (store/sqlite/search-traces.ts states the matching rules): traces that start
 * in the window, newest first; duration bounds apply to the trace, service / operation /
 * attr (and then status) to one of its spans.
 */
export async function searchTraces(t: TelemetryReader, w: TimeWindow, q: TraceSearch): Promise<TraceSummary[]> {
  return withSpan("query.read", { "cartograph.limit": q.limit }, async (span) => {
    const found = await t.spans.searchTraces({
      fromNs: BigInt(w.fromMs) * 1_000_000n,
      toNs: BigInt(w.toMs) * 1_000_000n,
      service: q.service,
      operation: q.operation,
      status: q.status,
      minDurationNs: q.minDurationMs === undefined ? undefined : BigInt(Math.round(q.minDurationMs * 1e6)),
      maxDurationNs: q.maxDurationMs === undefined ? undefined : BigInt(Math.round(q.maxDurationMs * 1e6)),
      attrs: [...(q.attr ? [q.attr] : []), ...(q.attrs ?? [])],
      kind: q.kind,
      environment: q.environment === undefined ? undefined : q.environment === NO_ENVIRONMENT ? null : q.environment,
      limit: q.limit,
    });
    span.setAttributes({
      "cartograph.traces": found.length,
      "cartograph.spans": found.reduce((n, s) => n + s.spanCount, 0),
    });
    return found;
  });
}

export interface TracePage {
  limit: number;
  /** `<startNs>.<spanId>` of the last span already sent. */
  cursor?: string;
}

/** Start order, ties by span id: a total order, so a cursor names one place in it. */
function compareSpans(a: { startNs: bigint; spanId: string }, b: { startNs: bigint; spanId: string }): number {
  return a.startNs < b.startNs
    ? -1
    : a.startNs > b.startNs
      ? 1
      : a.spanId < b.spanId
        ? -1
        : a.spanId > b.spanId
          ? 1
          : 0;
}

/**
 * One page of a trace in the API shape (nanosecond times as strings, exact); null when
 * unknown. The page is the first `limit` spans after the cursor; spans that arrive between
 * pages land in later pages or, if they start earlier, are counted in totalSpans.
 */
export async function getTrace(t: TelemetryReader, traceId: string, page: TracePage) {
  const all = await withSpan("query.read", {}, async (span) => {
    const found = await t.spans.readTrace(traceId.toLowerCase());
    span.setAttributes({ "cartograph.rows_read": found.length });
    return found;
  });
  if (all.length === 0) return null;
  all.sort(compareSpans);
  let from = 0;
  if (page.cursor) {
    const dot = page.cursor.indexOf(".");
    const after = { startNs: BigInt(page.cursor.slice(0, dot)), spanId: page.cursor.slice(dot + 1) };
    while (from < all.length && compareSpans(all[from]!, after) <= 0) from++;
  }
  const spans = all.slice(from, from + page.limit);
  const last = spans[spans.length - 1];
  const more = from + spans.length < all.length;
  return withSpan("query.assemble", { "cartograph.spans": spans.length }, () => ({
    traceId: traceId.toLowerCase(),
    totalSpans: all.length,
    truncated: spans.length < all.length,
    nextCursor: more && last ? `${last.startNs}.${last.spanId}` : null,
    spans: spans.map((s) => ({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      service: s.resource.service,
      name: s.name,
      kind: SPAN_KINDS[s.kind] ?? "unspecified",
      startTimeUnixNano: s.startNs.toString(),
      endTimeUnixNano: s.endNs.toString(),
      durationMs: Number(s.endNs - s.startNs) / 1e6,
      status: { code: STATUS_CODES[s.statusCode] ?? "unset", message: s.statusMessage },
      attributes: s.attributes,
      resource: s.resource.attributes,
      scope: s.scope,
      events: s.events.map((e) => ({
        name: e.name,
        timeUnixNano: e.timeUnixNano.toString(),
        attributes: e.attributes,
      })),
      links: s.links,
    })),
  }));
}
