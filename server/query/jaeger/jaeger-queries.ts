import "server-only";
import type { TelemetryReader } from "../../store";
import { getServiceMap } from "../service-map";
import { searchTraces } from "../traces";
import { JAEGER_SPAN_KINDS, kindName, toJaegerTrace, type JaegerSpanKind, type JaegerTrace } from "./jaeger-model";

/** Every service that has sent spans and is still in the catalog, sorted (Jaeger lists all it stores). */
export async function listJaegerServices(t: TelemetryReader): Promise<string[]> {
  return [...new Set((await t.rollups.listServices()).map((s) => s.name))].sort(compareText);
}

/** SQLite's default (binary) text order, which the list had when it was an ORDER BY. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Operations of a service with their span kinds, optionally of one kind; sorted by name. */
export async function listJaegerOperations(
  t: TelemetryReader,
  service: string,
  kind?: JaegerSpanKind,
): Promise<{ name: string; spanKind: JaegerSpanKind }[]> {
  const rows = await t.rollups.listOperations(service, kind ? JAEGER_SPAN_KINDS.indexOf(kind) : undefined);
  return rows.map((r) => ({ name: r.operation, spanKind: kindName(r.kind) }));
}

export interface JaegerTraceQuery {
  service: string;
  operation?: string;
  tags: { key: string; value: string }[];
  startUs: number;
  endUs: number;
  minDurationUs?: number;
  maxDurationUs?: number;
  limit: number;
}

/**
 * Jaeger's trace search: traces with at least one span of `service` in [start, end] matching
 * the operation, every tag and the duration bounds (Jaeger matches within one span too).
 * `error=true` matches error status and `span.kind=<kind>` the kind, as Jaeger shows them as tags.
 */
export async function searchJaegerTraces(t: TelemetryReader, q: JaegerTraceQuery): Promise<JaegerTrace[]> {
  let status: "error" | "ok" | undefined;
  let kind: number | undefined;
  const attrs: { key: string; value: string }[] = [];
  for (const tag of q.tags) {
    if (tag.key === "error" && (tag.value === "true" || tag.value === "false"))
      status = tag.value === "true" ? "error" : "ok";
    else if (tag.key === "otel.status_code" && (tag.value === "ERROR" || tag.value === "OK"))
      status = tag.value === "ERROR" ? "error" : "ok";
    else if (tag.key === "span.kind" && JAEGER_SPAN_KINDS.includes(tag.value as JaegerSpanKind))
      kind = JAEGER_SPAN_KINDS.indexOf(tag.value as JaegerSpanKind);
    else attrs.push(tag);
  }
  const summaries = await searchTraces(
    t,
    { fromMs: Math.floor(q.startUs / 1000), toMs: Math.ceil(q.endUs / 1000) + 1 },
    {
      service: q.service,
      operation: q.operation,
      status,
      kind,
      attrs,
      minDurationMs: q.minDurationUs === undefined ? undefined : q.minDurationUs / 1000,
      maxDurationMs: q.maxDurationUs === undefined ? undefined : q.maxDurationUs / 1000,
      limit: q.limit,
    },
  );
  const out: JaegerTrace[] = [];
  let budget = JAEGER_SEARCH_MAX_SPANS;
  for (const s of summaries) {
    if (budget <= 0) break; // newest first: the oldest matches give way
    const trace = await readCappedTrace(t, s.traceId);
    budget -= trace.spans.length;
    out.push(trace);
  }
  return out;
}

/** Most spans of one trace in a Jaeger answer (Cartograph's own trace API pages past it). */
export const JAEGER_MAX_TRACE_SPANS = 10_000;
/** Most spans in one search answer: later (older) traces are left out beyond it. */
export const JAEGER_SEARCH_MAX_SPANS = 100_000;

/** The trace's first JAEGER_MAX_TRACE_SPANS spans by start, with a warning when there are more. */
async function readCappedTrace(t: TelemetryReader, traceId: string): Promise<JaegerTrace> {
  const spans = await t.spans.readTrace(traceId, JAEGER_MAX_TRACE_SPANS + 1);
  if (spans.length <= JAEGER_MAX_TRACE_SPANS) return toJaegerTrace(traceId, spans);
  const warning = `this trace has more than ${JAEGER_MAX_TRACE_SPANS} spans: the first ${JAEGER_MAX_TRACE_SPANS} by start time are shown (Cartograph's /api/v1/traces/${traceId} pages through all of them)`;
  return toJaegerTrace(traceId, spans.slice(0, JAEGER_MAX_TRACE_SPANS), [warning]);
}

/** One trace (32 hex, or 16 for a 64-bit id, which is stored left-padded); null when unknown. */
export async function getJaegerTrace(t: TelemetryReader, traceId: string): Promise<JaegerTrace | null> {
  const id = traceId.toLowerCase().padStart(32, "0");
  const trace = await readCappedTrace(t, id);
  return trace.spans.length === 0 ? null : trace;
}

/**
 * Jaeger's dependency links from Cartograph's service map of the window: every edge, typed
 * nodes named as the map names them (a database by its name, a topic by its destination),
 * so Grafana's node graph shows what the map shows. Self-calls are links too.
 */
export async function getJaegerDependencies(t: TelemetryReader, endMs: number, lookbackMs: number, nowMs: number) {
  const map = await getServiceMap(t, { fromMs: endMs - lookbackMs, toMs: endMs, nowMs });
  const names = new Map(map.nodes.map((n) => [n.id, n.name]));
  // Two nodes can share a display name (a service and a topic both called `orders`): one link.
  const links = new Map<string, { parent: string; child: string; callCount: number }>();
  for (const e of map.edges) {
    const parent = names.get(e.source) ?? e.source;
    const child = names.get(e.target) ?? e.target;
    const key = `${parent}\u0000${child}`;
    const l = links.get(key);
    if (l) l.callCount += e.stats.requests;
    else links.set(key, { parent, child, callCount: e.stats.requests });
  }
  return [...links.values()];
}
