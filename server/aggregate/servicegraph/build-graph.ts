import "server-only";
import { SpanKind, StatusCode, type Span } from "../../normalize";
import { addToSketch, createSketch } from "../red/sketch";
import { assembleServiceMap, type MergedEdge, type ServedStats, type ServiceMap } from "./assemble-map";
import { spanDurationMs, spanServiceKey } from "./classify-span";
import { serviceNode } from "./node-identity";
import { GraphAccumulator, edgeKey } from "./graph-accumulator";
import { pairSpans } from "./pairing-store";
import { emptyCounts, type PairingCounts } from "./types";

export interface BuildGraphOptions {
  /** Window used for rps; defaults to the spans' own extent (at least one second). */
  fromMs?: number;
  toMs?: number;
  focus?: string;
  depth?: number;
}

/** Sums an accumulator's minute rows into one row per (source, target, protocol). */
export function mergeAccumulatorEdges(acc: GraphAccumulator): MergedEdge[] {
  const out = new Map<string, MergedEdge>();
  for (const row of acc.edges.values()) {
    const key = edgeKey(row.source, row.target, row.protocol);
    const meta = acc.edgeMeta.get(key);
    let m = out.get(key);
    if (!m) {
      m = {
        source: row.source,
        target: row.target,
        protocol: row.protocol,
        calls: 0,
        errors: 0,
        connects: 0,
        clientSketch: createSketch(),
        serverSketch: createSketch(),
        firstSeenMs: meta?.firstSeenMs ?? row.minute * 60_000,
        lastSeenMs: meta?.lastSeenMs ?? row.minute * 60_000,
        tables: meta?.tables ?? [],
      };
      out.set(key, m);
    }
    m.calls += row.calls;
    m.errors += row.errors;
    m.connects += row.connects;
    m.clientSketch.merge(row.clientSketch);
    m.serverSketch.merge(row.serverSketch);
  }
  return [...out.values()];
}

export function sumCompleteness(perMinute: Iterable<PairingCounts>): PairingCounts {
  const total = emptyCounts();
  for (const c of perMinute) for (const k of Object.keys(total) as (keyof PairingCounts)[]) total[k] += c[k];
  return total;
}

/**
 * Tier-2 rebuild: the service map of a list of stored spans (one trace, or a window), using the
 * same pairing and typing functions as the streaming aggregator. Service node stats come from
 * the spans' SERVER and CONSUMER spans.
 */
export function buildGraphFromSpans(spans: readonly Span[], opts: BuildGraphOptions = {}): ServiceMap {
  const acc = new GraphAccumulator();
  pairSpans(spans, acc);
  const served = new Map<string, ServedStats>();
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (const s of spans) {
    const start = Number(s.startNs / 1_000_000n);
    if (start < minMs) minMs = start;
    if (start > maxMs) maxMs = start;
    if (s.kind !== SpanKind.SERVER && s.kind !== SpanKind.CONSUMER) continue;
    const id = serviceNode(spanServiceKey(s)).id;
    let st = served.get(id);
    if (!st) served.set(id, (st = { requests: 0, errors: 0, sketch: createSketch() }));
    st.requests++;
    if (s.statusCode === StatusCode.ERROR) st.errors++;
    addToSketch(st.sketch, spanDurationMs(s));
  }
  const fromMs = opts.fromMs ?? (Number.isFinite(minMs) ? minMs : 0);
  const toMs = opts.toMs ?? (Number.isFinite(maxMs) ? maxMs : 0);
  return assembleServiceMap({
    nodes: acc.nodes.values(),
    edges: mergeAccumulatorEdges(acc),
    served,
    completeness: sumCompleteness(acc.completeness.values()),
    windowMs: Math.max(1000, toMs - fromMs),
    focus: opts.focus,
    depth: opts.depth,
  });
}
