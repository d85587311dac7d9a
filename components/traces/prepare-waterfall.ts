import { serviceNodeId } from "@/lib/node-id";
import type { TraceSpan } from "@/lib/api-types";
import { colorForName } from "@/lib/format";

export interface WaterfallRow {
  span: TraceSpan;
  depth: number;
  hasChildren: boolean;
  /** Start and duration relative to the trace start, in ms. */
  offsetMs: number;
  durationMs: number;
  color: string;
  critical: boolean;
  /** The map edge this span stands for (caller service → this service), when it crosses services. */
  edgeId: string | null;
}

export interface Waterfall {
  rows: WaterfallRow[];
  totalMs: number;
  services: Array<{ name: string; color: string }>;
  traceStartNs: bigint;
}

const toNs = (s: string): bigint => {
  try {
    return BigInt(s);
  } catch {
    return 0n;
  }
};
const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

/**
 * Builds the span tree in display order (depth first, children by start time). Spans whose
 * parent is missing (not received yet, or dropped) become roots, so nothing is hidden.
 */
export function prepareWaterfall(spans: TraceSpan[]): Waterfall {
  if (spans.length === 0) return { rows: [], totalMs: 0, services: [], traceStartNs: 0n };
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const s of spans) {
    const p = s.parentSpanId;
    if (p && byId.has(p) && p !== s.spanId) {
      if (!children.has(p)) children.set(p, []);
      children.get(p)!.push(s);
    } else roots.push(s);
  }
  const byStart = (a: TraceSpan, b: TraceSpan) => {
    const d = toNs(a.startTimeUnixNano) - toNs(b.startTimeUnixNano);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  };
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  let startNs = toNs(spans[0]!.startTimeUnixNano);
  let endNs = toNs(spans[0]!.endTimeUnixNano);
  for (const s of spans) {
    const a = toNs(s.startTimeUnixNano);
    const b = toNs(s.endTimeUnixNano);
    if (a < startNs) startNs = a;
    if (b > endNs) endNs = b;
  }
  const critical = findCriticalPath(roots, children);

  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const visit = (s: TraceSpan, depth: number) => {
    if (seen.has(s.spanId)) return; // cycles in bad data must not loop forever
    seen.add(s.spanId);
    const kids = children.get(s.spanId) ?? [];
    const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    rows.push({
      span: s,
      depth,
      hasChildren: kids.length > 0,
      offsetMs: nsToMs(toNs(s.startTimeUnixNano) - startNs),
      durationMs: Math.max(0, nsToMs(toNs(s.endTimeUnixNano) - toNs(s.startTimeUnixNano))),
      color: colorForName(s.service),
      critical: critical.has(s.spanId),
      edgeId:
        parent && parent.service !== s.service
          ? `${serviceNodeId(parent.service, environmentOfSpan(parent))}->${serviceNodeId(s.service, environmentOfSpan(s))}`
          : null,
    });
    for (const k of kids) visit(k, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  for (const s of spans) if (!seen.has(s.spanId)) visit(s, 0);

  const services = [...new Set(spans.map((s) => s.service))]
    .sort()
    .map((name) => ({ name, color: colorForName(name) }));
  return { rows, totalMs: Math.max(0, nsToMs(endNs - startNs)), services, traceStartNs: startNs };
}

/**
 * Critical path: from the longest root, repeatedly follow the child that finished last before
 * the current cursor, then move the cursor to that child's start (the classic Jaeger walk).
 */
export function findCriticalPath(roots: TraceSpan[], children: Map<string, TraceSpan[]>): Set<string> {
  const path = new Set<string>();
  if (roots.length === 0) return path;
  const dur = (s: TraceSpan) => toNs(s.endTimeUnixNano) - toNs(s.startTimeUnixNano);
  const root = roots.reduce((a, b) => (dur(b) > dur(a) ? b : a));
  const walk = (span: TraceSpan, depth: number) => {
    if (path.has(span.spanId) || depth > 10_000) return;
    path.add(span.spanId);
    let cursor = toNs(span.endTimeUnixNano);
    const kids = [...(children.get(span.spanId) ?? [])].sort((a, b) => {
      const d = toNs(b.endTimeUnixNano) - toNs(a.endTimeUnixNano);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    });
    for (const child of kids) {
      if (toNs(child.startTimeUnixNano) >= cursor) continue;
      walk(child, depth + 1);
      cursor = toNs(child.startTimeUnixNano);
    }
  };
  walk(root, 0);
  return path;
}

/** Rows left visible when the given spans are collapsed (their descendants are hidden). */
export function selectVisibleRows(rows: WaterfallRow[], collapsed: Set<string>): WaterfallRow[] {
  const out: WaterfallRow[] = [];
  let hideBelow = Infinity;
  for (const r of rows) {
    if (r.depth > hideBelow) continue;
    hideBelow = collapsed.has(r.span.spanId) ? r.depth : Infinity;
    out.push(r);
  }
  return out;
}

/**
 * Spans matching a search in the trace: every word (case-insensitive) occurs in the span's
 * name, service, span id or one of its attribute values. Empty query: none.
 */
export function findSpanMatches(rows: WaterfallRow[], query: string): Set<string> {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const out = new Set<string>();
  if (words.length === 0) return out;
  for (const r of rows) {
    const s = r.span;
    const parts = [s.name, s.service, s.spanId];
    for (const v of Object.values(s.attributes ?? {}))
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") parts.push(String(v));
    const text = parts.join("\u0000").toLowerCase();
    if (words.every((w) => text.includes(w))) out.add(s.spanId);
  }
  return out;
}

/** The span's resource environment (either convention generation), as map node ids carry it. */
export function environmentOfSpan(s: TraceSpan): string | null {
  const r = (s.resource ?? {}) as Record<string, unknown>;
  const v = r["deployment.environment.name"] ?? r["deployment.environment"];
  return typeof v === "string" && v !== "" ? v : null;
}
