import "server-only";
import type { TelemetryReader } from "../store";
import { buildGraphFromSpans, focusMap, scopeServiceMap, type ServiceMap } from "../aggregate/servicegraph";
import type { ServiceMapQuery } from "./service-map";
import { withSpan } from "../platform/self-tracing";

/** Most spans one rebuild reads; beyond it the answer says `truncated` (tier 2 is for windows the user can inspect). */
export const MAX_REBUILD_SPANS = 200_000;

export type RebuiltServiceMap = ServiceMap & { source: "rebuild"; spans: number; truncated: boolean };

/**
 * Tier 2: the map rebuilt from stored raw spans with the streaming pairer's own functions, for
 * verification, repair and windows whose rollups are missing. Raw-span retention bounds it.
 */
export async function rebuildServiceMap(
  telemetry: TelemetryReader,
  q: ServiceMapQuery,
  maxSpans = MAX_REBUILD_SPANS,
): Promise<RebuiltServiceMap> {
  const spans = await withSpan("query.read", {}, async (span) => {
    const found = await telemetry.spans.readSpansInWindow(q.fromMs, q.toMs, maxSpans + 1);
    span.setAttributes({ "cartograph.rows_read": found.length });
    return found;
  });
  const truncated = spans.length > maxSpans;
  if (truncated) spans.length = maxSpans;
  const map = withSpan("query.assemble", { "cartograph.spans": spans.length }, () => {
    const all = buildGraphFromSpans(spans, { fromMs: q.fromMs, toMs: q.toMs });
    const scoped = q.scope ? scopeServiceMap(all, q.scope) : all;
    return q.focus ? focusMap(scoped, q.focus, q.depth ?? 2) : scoped;
  });
  return { ...map, source: "rebuild", spans: spans.length, truncated };
}

/** The map of one trace (every span of it, no window). Null when the trace is unknown. */
export async function getTraceServiceMap(
  telemetry: TelemetryReader,
  traceId: string,
  maxSpans = MAX_REBUILD_SPANS,
): Promise<RebuiltServiceMap | null> {
  const all = await withSpan("query.read", {}, async (span) => {
    const found = await telemetry.spans.readTrace(traceId.toLowerCase(), maxSpans + 1);
    span.setAttributes({ "cartograph.rows_read": found.length });
    return found;
  });
  if (all.length === 0) return null;
  const truncated = all.length > maxSpans;
  return withSpan("query.assemble", { "cartograph.spans": Math.min(all.length, maxSpans) }, () => {
    const spans = all.slice(0, maxSpans);
    return { ...buildGraphFromSpans(spans), source: "rebuild" as const, spans: spans.length, truncated };
  });
}
